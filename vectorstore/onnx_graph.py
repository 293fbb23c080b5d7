"""Two exact edits of the embedding model's ONNX graph before onnxruntime loads it (BENCHMARKS.md, "Why 150…").

1. `torch.onnx` writes scaled-dot-product attention with `Where(IsNaN(p), 0, p)` after the softmax, for rows whose
   every key is masked. A sentence always keeps its first token ([CLS]), so no row is fully masked and the guard
   never changes a value; it cost ~13 % of MiniLM's kernel time. It is removed.
2. The exact GELU, exported as `Div(x, √2) → Erf → Add 1 → Mul 0.5 → Mul x`, which onnxruntime's own fusion does
   not match in this export, becomes one `com.microsoft.Gelu` node (the same erf formula, in one kernel).

Only the protobuf fields these edits read or write are declared, so the `onnx` package is not a dependency; every
other field of the model passes through untouched as an unknown field. A model whose graph does not hold these
exact patterns (constants checked) is left as it is.
"""

from __future__ import annotations

import math
import struct
from functools import cache
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

_REPEATED, _OPTIONAL = 3, 1  # FieldDescriptorProto labels
_FLOAT, _INT64, _INT32, _STRING, _MESSAGE, _BYTES = 2, 3, 5, 9, 11, 12  # FieldDescriptorProto types
_SUBGRAPH_OPS = {"If", "Loop", "Scan"}
_ONNX_FLOAT = 1  # TensorProto.DataType.FLOAT
_CONTRIB = "com.microsoft"

# message → (field name, number, type, label, message type) of the subset of onnx.proto used here
_SUBSET = {
    "NodeProto": [("input", 1, _STRING, _REPEATED, ""), ("output", 2, _STRING, _REPEATED, ""),
                  ("op_type", 4, _STRING, _OPTIONAL, ""), ("domain", 7, _STRING, _OPTIONAL, "")],
    "TensorProto": [("dims", 1, _INT64, _REPEATED, ""), ("data_type", 2, _INT32, _OPTIONAL, ""),
                    ("float_data", 4, _FLOAT, _REPEATED, ""), ("name", 8, _STRING, _OPTIONAL, ""),
                    ("raw_data", 9, _BYTES, _OPTIONAL, "")],
    "ValueInfoProto": [("name", 1, _STRING, _OPTIONAL, "")],
    "GraphProto": [("node", 1, _MESSAGE, _REPEATED, "NodeProto"),
                   ("initializer", 5, _MESSAGE, _REPEATED, "TensorProto"),
                   ("output", 12, _MESSAGE, _REPEATED, "ValueInfoProto")],
    "OperatorSetIdProto": [("domain", 1, _STRING, _OPTIONAL, ""), ("version", 2, _INT64, _OPTIONAL, "")],
    "ModelProto": [("graph", 7, _MESSAGE, _OPTIONAL, "GraphProto"),
                   ("opset_import", 8, _MESSAGE, _REPEATED, "OperatorSetIdProto")],
}


@cache
def _model_class() -> Any:
    """A ModelProto class that knows only the fields in _SUBSET."""
    spec = descriptor_pb2.FileDescriptorProto(name="factcheck_onnx_subset.proto", package="factcheck_onnx",
                                              syntax="proto2")
    for message, fields in _SUBSET.items():
        declared = spec.message_type.add(name=message)
        for name, number, kind, label, type_name in fields:
            field = declared.field.add(name=name, number=number, type=kind, label=label)
            if type_name:
                field.type_name = f".factcheck_onnx.{type_name}"
            if name == "float_data":
                field.options.packed = True  # as in onnx.proto
    pool = descriptor_pool.DescriptorPool()
    pool.AddSerializedFile(spec.SerializeToString())
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("factcheck_onnx.ModelProto"))


def simplified(model_bytes: bytes) -> tuple[bytes, dict[str, int]]:
    """The model with its NaN guards removed and its GELUs fused, and how many of each were changed."""
    model = _model_class()()
    model.ParseFromString(model_bytes)
    if any(node.op_type in _SUBGRAPH_OPS for node in model.graph.node):
        return model_bytes, {}  # names used inside subgraphs are not visible here: leave such a model alone
    changed = {"nan_guards": _remove_nan_guards(model.graph), "gelu": _fuse_gelus(model.graph)}
    if not any(changed.values()):
        return model_bytes, changed
    if changed["gelu"] and not any(op.domain == _CONTRIB for op in model.opset_import):
        model.opset_import.add(domain=_CONTRIB, version=1)
    return model.SerializeToString(), changed


def _remove_nan_guards(graph: Any) -> int:
    """Replace every `Where(IsNaN(x), c, x)` by x; the count removed."""
    nodes, wiring = list(graph.node), _Wiring(graph)
    replaced: dict[str, str] = {}
    for node in nodes:
        if node.op_type == "Where" and len(node.input) == 3 and node.output[0] not in wiring.outputs:
            condition = wiring.producer.get(node.input[0])
            if condition is not None and condition.op_type == "IsNaN" and condition.input[0] == node.input[2]:
                replaced[node.output[0]] = node.input[2]
    if not replaced:
        return 0
    kept = [n for n in nodes if not (n.op_type == "Where" and n.output[0] in replaced)]
    for node in kept:
        node.input[:] = [_original(name, replaced) for name in node.input]
    consumed = {name for node in kept for name in node.input}
    _set_nodes(graph, [n for n in kept if not (n.op_type == "IsNaN" and n.output[0] not in consumed)])
    return len(replaced)


def _original(name: str, replaced: dict[str, str]) -> str:
    """Follow removed guards back to the value they passed through (a guard may guard a guard)."""
    while name in replaced:
        name = replaced[name]
    return name


def _fuse_gelus(graph: Any) -> int:
    """Replace each exported exact GELU chain by one contrib Gelu node; the count fused."""
    nodes, wiring = list(graph.node), _Wiring(graph)
    chains = [chain for node in nodes if node.op_type == "Erf" and (chain := _gelu_chain(node, wiring))]
    if not chains:
        return 0
    fused = {id(n) for chain in chains for n in chain[1]}
    last = {id(chain[1][-1]): chain for chain in chains}
    rebuilt = []
    for node in nodes:
        if id(node) in last:
            x, chain_nodes = last[id(node)]
            gelu = graph.node.add(op_type="Gelu", domain=_CONTRIB, input=[x], output=[chain_nodes[-1].output[0]])
            rebuilt.append(gelu)
        elif id(node) not in fused:
            rebuilt.append(node)
    _set_nodes(graph, rebuilt)
    _drop_unread_initializers(graph, {name for _, chain in chains for node in chain for name in node.input})
    return len(chains)


def _drop_unread_initializers(graph: Any, candidates: set[str]) -> None:
    """Remove the fused chains' constants nothing reads any more (onnxruntime warns about each one at load)."""
    read = {name for node in graph.node for name in node.input} | {value.name for value in graph.output}
    for index in reversed(range(len(graph.initializer))):
        name = graph.initializer[index].name
        if name in candidates and name not in read:
            del graph.initializer[index]


class _Wiring:
    """Who produces and who reads each value of a graph, its outputs and its scalar float constants."""

    def __init__(self, graph: Any):
        self.producer = {name: node for node in graph.node for name in node.output}
        self.readers: dict[str, list[Any]] = {}
        for node in graph.node:
            for name in node.input:
                self.readers.setdefault(name, []).append(node)
        self.outputs = {value.name for value in graph.output}
        self.constants = {t.name: value for t in graph.initializer if (value := _scalar(t)) is not None}

    def only_reader(self, node: Any, op_type: str) -> Any:
        """The single node reading node's output when it is an op_type and the output is internal, else None."""
        found = self.readers.get(node.output[0], [])
        ok = len(found) == 1 and found[0].op_type == op_type and node.output[0] not in self.outputs
        return found[0] if ok else None

    def is_constant(self, name: str | None, expected: float) -> bool:
        """name is a float32 scalar constant equal to expected up to float32 rounding."""
        value = self.constants.get(name or "")
        return value is not None and abs(value - expected) <= 1e-6 * max(1.0, abs(expected))


def _other_input(node: Any, known: str) -> str | None:
    """The input of a two-input node that is not known."""
    rest = [name for name in node.input if name != known]
    return rest[0] if len(node.input) == 2 and len(rest) == 1 else None


def _gelu_chain(erf: Any, wiring: _Wiring) -> tuple[str, list[Any]] | None:
    """(x, [Div, Erf, Add, Mul, Mul]) when erf sits in x·½·(1 + erf(x/√2)) with nothing else reading inside it."""
    div = wiring.producer.get(erf.input[0])
    if div is None or div.op_type != "Div" or len(div.input) != 2 or not wiring.is_constant(div.input[1], 2 ** .5):
        return None
    x = div.input[0]
    add = wiring.only_reader(erf, "Add") if wiring.only_reader(div, "Erf") is erf else None
    if add is None or not wiring.is_constant(_other_input(add, erf.output[0]), 1.0):
        return None
    first = wiring.only_reader(add, "Mul")
    second = wiring.only_reader(first, "Mul") if first is not None else None
    if first is None or second is None:
        return None
    factors = {_other_input(first, add.output[0]), _other_input(second, first.output[0])}
    half = next((f for f in factors if f is not None and f != x), None)
    if x not in factors or not wiring.is_constant(half, 0.5):
        return None
    return x, [div, erf, add, first, second]


def _scalar(tensor: Any) -> float | None:
    """The value of a one-element float tensor, else None."""
    if tensor.data_type != _ONNX_FLOAT or math.prod(tensor.dims) != 1:
        return None
    if tensor.float_data:
        return float(tensor.float_data[0])
    return struct.unpack("<f", tensor.raw_data)[0] if len(tensor.raw_data) == 4 else None


def _set_nodes(graph: Any, nodes: list[Any]) -> None:
    """Replace the graph's node list, keeping the given order (a topological order stays one)."""
    copies = [type(n)() for n in nodes]
    for copy, node in zip(copies, nodes, strict=True):
        copy.CopyFrom(node)
    del graph.node[:]
    graph.node.extend(copies)
