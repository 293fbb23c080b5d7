"""The exact graph edits made before the embedding model loads: NaN guards out, GELUs fused, vectors unchanged."""

import struct

import numpy as np
import onnxruntime
import pytest

from pipeline.errors import ConfigError
from vectorstore.embeddings import MiniLMEmbedder
from vectorstore.onnx_graph import _model_class, simplified


def graph(*nodes, outputs=(), constants=None):
    """A model holding nodes (op_type, inputs, outputs), graph outputs and float scalar initializers."""
    model = _model_class()()
    for op_type, inputs, outs in nodes:
        model.graph.node.add(op_type=op_type, input=inputs, output=outs)
    for name in outputs:
        model.graph.output.add(name=name)
    for name, value in (constants or {}).items():
        model.graph.initializer.add(name=name, data_type=1, raw_data=struct.pack("<f", value))
    return model.SerializeToString()


def nodes_of(data):
    model = _model_class()()
    model.ParseFromString(data)
    return [(n.op_type, list(n.input), list(n.output)) for n in model.graph.node]


GELU_CONSTANTS = {"root2": 2 ** .5, "one": 1.0, "half": 0.5}


def gelu(x, out, half_first=True):
    """The exported exact GELU: Div(x, √2) → Erf → Add 1 → Mul ½ and Mul x (in either order)."""
    last = [("Mul", ["a", "half"], ["m"]), ("Mul", [x, "m"], [out])] if half_first else \
        [("Mul", [x, "a"], ["m"]), ("Mul", ["m", "half"], [out])]
    return [("Div", [x, "root2"], ["d"]), ("Erf", ["d"], ["e"]), ("Add", ["e", "one"], ["a"]), *last]


def test_a_guard_is_replaced_by_the_value_it_guards_even_when_guards_are_chained():
    data = graph(("Softmax", ["s"], ["p"]), ("IsNaN", ["p"], ["nan"]), ("Where", ["nan", "zero", "p"], ["g1"]),
                 ("IsNaN", ["g1"], ["nan2"]), ("Where", ["nan2", "zero", "g1"], ["g2"]),
                 ("MatMul", ["g2", "v"], ["out"]), outputs=["out"])
    edited, changed = simplified(data)
    assert changed == {"nan_guards": 2, "gelu": 0}
    assert nodes_of(edited) == [("Softmax", ["s"], ["p"]), ("MatMul", ["p", "v"], ["out"])]


def test_other_wheres_graph_outputs_and_subgraph_models_are_left_alone():
    other_where = graph(("IsNaN", ["p"], ["nan"]), ("Where", ["nan", "zero", "q"], ["w"]), outputs=["w"])
    assert simplified(other_where)[0] == other_where  # it guards another value: not a no-op
    as_output = graph(("IsNaN", ["p"], ["nan"]), ("Where", ["nan", "zero", "p"], ["w"]), outputs=["w"])
    assert simplified(as_output)[0] == as_output
    with_loop = graph(("IsNaN", ["p"], ["nan"]), ("Where", ["nan", "zero", "p"], ["w"]), ("Loop", ["w"], ["o"]))
    assert simplified(with_loop) == (with_loop, {})


def test_an_exported_gelu_becomes_one_contrib_node_in_either_multiply_order():
    for half_first in (True, False):
        data = graph(("MatMul", ["h", "w"], ["x"]), *gelu("x", "y", half_first), ("MatMul", ["y", "w2"], ["out"]),
                     outputs=["out"], constants=GELU_CONSTANTS)
        edited, changed = simplified(data)
        assert changed == {"nan_guards": 0, "gelu": 1}
        assert nodes_of(edited) == [("MatMul", ["h", "w"], ["x"]), ("Gelu", ["x"], ["y"]),
                                    ("MatMul", ["y", "w2"], ["out"])]
        model = _model_class()()
        model.ParseFromString(edited)
        assert [n.domain for n in model.graph.node] == ["", "com.microsoft", ""]
        assert ("com.microsoft", 1) in [(o.domain, o.version) for o in model.opset_import]
        assert list(model.graph.initializer) == []  # onnxruntime warns at every load about an unread constant


def test_a_constant_still_read_elsewhere_is_kept():
    data = graph(*gelu("x", "y"), ("Mul", ["y", "half"], ["out"]), outputs=["out"], constants=GELU_CONSTANTS)
    model = _model_class()()
    model.ParseFromString(simplified(data)[0])
    assert [t.name for t in model.graph.initializer] == ["half"]


def test_a_chain_that_is_not_exactly_gelu_is_not_fused():
    tanh_like = dict(GELU_CONSTANTS, root2=1.5)  # another constant: another function
    assert simplified(graph(*gelu("x", "y"), outputs=["y"], constants=tanh_like))[1]["gelu"] == 0
    read_inside = graph(*gelu("x", "y"), ("Relu", ["e"], ["r"]), outputs=["y", "r"], constants=GELU_CONSTANTS)
    assert simplified(read_inside)[1]["gelu"] == 0  # the Erf's value is needed elsewhere
    assert simplified(graph(*gelu("x", "y"), outputs=["y"]))[1]["gelu"] == 0  # constants unknown


def test_the_shipped_model_is_simplified_and_keeps_its_vectors():
    edited = MiniLMEmbedder(batch_size=4)
    texts = ["Iran sent drones to Russia.", "x", "The UN adopted resolution 2231 in 2015, officials said. " * 12]
    vectors = edited.embed(texts)
    assert edited.graph_edits == {"nan_guards": 6, "gelu": 6}
    original = MiniLMEmbedder(batch_size=4)
    original._load()
    original._session = onnxruntime.InferenceSession(str(original.model_path), onnxruntime.SessionOptions(),
                                                     providers=["CPUExecutionProvider"])
    assert np.min(np.sum(vectors * original.embed(texts), axis=1)) >= 0.99999


def test_a_model_file_that_is_not_onnx_is_one_sentence_naming_the_file(tmp_path):
    junk = tmp_path / "model.onnx"
    junk.write_text("not a model\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        MiniLMEmbedder(model_path=str(junk)).embed(["x"])
    assert raised.value.user_message() == (f"The embedding model file {junk} is not an ONNX model onnxruntime can "
                                           "load. Point the embedding model path at an .onnx file.")
