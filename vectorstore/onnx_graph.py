"""One exact edit of an ONNX graph before onnxruntime loads it: drop the NaN guard PyTorch exports around attention.

`torch.onnx` writes scaled-dot-product attention as `Where(IsNaN(p), 0, p)` after the softmax, for rows whose
every key is masked. A sentence always keeps its first token ([CLS]), so no row is ever fully masked, the guard
never changes a value, and it costs ~13 % of MiniLM's kernel time (BENCHMARKS.md, "Why 150 chunks/s…").
Only the three protobuf fields the edit needs are declared, so the `onnx` package is not a dependency; every
other field of the model passes through untouched as an unknown field.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

_REPEATED, _OPTIONAL, _STRING, _MESSAGE = 3, 1, 9, 11  # FieldDescriptorProto label and type numbers
_SUBGRAPH_OPS = {"If", "Loop", "Scan"}


@cache
def _model_class() -> Any:
    """ModelProto.graph (7) → GraphProto.node (1), .output (12) → NodeProto.input (1), .output (2), .op_type (4)."""
    spec = descriptor_pb2.FileDescriptorProto(name="factcheck_onnx_subset.proto", package="factcheck_onnx",
                                              syntax="proto2")
    node = spec.message_type.add(name="NodeProto")
    node.field.add(name="input", number=1, type=_STRING, label=_REPEATED)
    node.field.add(name="output", number=2, type=_STRING, label=_REPEATED)
    node.field.add(name="op_type", number=4, type=_STRING, label=_OPTIONAL)
    value = spec.message_type.add(name="ValueInfoProto")
    value.field.add(name="name", number=1, type=_STRING, label=_OPTIONAL)
    graph = spec.message_type.add(name="GraphProto")
    graph.field.add(name="node", number=1, type=_MESSAGE, label=_REPEATED, type_name=".factcheck_onnx.NodeProto")
    graph.field.add(name="output", number=12, type=_MESSAGE, label=_REPEATED,
                    type_name=".factcheck_onnx.ValueInfoProto")
    model = spec.message_type.add(name="ModelProto")
    model.field.add(name="graph", number=7, type=_MESSAGE, label=_OPTIONAL, type_name=".factcheck_onnx.GraphProto")
    pool = descriptor_pool.DescriptorPool()
    pool.AddSerializedFile(spec.SerializeToString())
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("factcheck_onnx.ModelProto"))


def without_nan_guards(model_bytes: bytes) -> tuple[bytes, int]:
    """The model with every `Where(IsNaN(x), c, x)` replaced by x, and how many were removed."""
    model = _model_class()()
    model.ParseFromString(model_bytes)
    nodes = list(model.graph.node)
    if any(node.op_type in _SUBGRAPH_OPS for node in nodes):
        return model_bytes, 0  # names used inside subgraphs are not visible here: leave such a model alone
    producer = {name: node for node in nodes for name in node.output}
    graph_outputs = {value.name for value in model.graph.output}
    replaced: dict[str, str] = {}
    for node in nodes:
        if node.op_type == "Where" and len(node.input) == 3 and node.output[0] not in graph_outputs:
            condition = producer.get(node.input[0])
            if condition is not None and condition.op_type == "IsNaN" and condition.input[0] == node.input[2]:
                replaced[node.output[0]] = node.input[2]
    if not replaced:
        return model_bytes, 0
    kept = [n for n in nodes if not (n.op_type == "Where" and n.output[0] in replaced)]
    for node in kept:
        node.input[:] = [_original(name, replaced) for name in node.input]
    consumed = {name for node in kept for name in node.input}
    kept = [n for n in kept if not (n.op_type == "IsNaN" and n.output[0] not in consumed)]
    del model.graph.node[:]
    model.graph.node.extend(kept)
    return model.SerializeToString(), len(replaced)


def _original(name: str, replaced: dict[str, str]) -> str:
    """Follow removed guards back to the value they passed through (a guard may guard a guard)."""
    while name in replaced:
        name = replaced[name]
    return name
