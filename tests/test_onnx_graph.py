"""The exact graph edit made before the embedding model loads: attention NaN guards out, vectors unchanged."""

import numpy as np
import onnxruntime

from vectorstore.embeddings import MiniLMEmbedder
from vectorstore.onnx_graph import _model_class, without_nan_guards


def graph(*nodes, outputs=()):
    """A model holding only nodes (op_type, inputs, outputs) and graph outputs: enough to test the edit."""
    model = _model_class()()
    for op_type, inputs, outs in nodes:
        model.graph.node.add(op_type=op_type, input=inputs, output=outs)
    for name in outputs:
        model.graph.output.add(name=name)
    return model.SerializeToString()


def nodes_of(data):
    model = _model_class()()
    model.ParseFromString(data)
    return [(n.op_type, list(n.input), list(n.output)) for n in model.graph.node]


def test_a_guard_is_replaced_by_the_value_it_guards_even_when_guards_are_chained():
    data = graph(("Softmax", ["s"], ["p"]), ("IsNaN", ["p"], ["nan"]), ("Where", ["nan", "zero", "p"], ["g1"]),
                 ("IsNaN", ["g1"], ["nan2"]), ("Where", ["nan2", "zero", "g1"], ["g2"]),
                 ("MatMul", ["g2", "v"], ["out"]), outputs=["out"])
    edited, removed = without_nan_guards(data)
    assert removed == 2
    assert nodes_of(edited) == [("Softmax", ["s"], ["p"]), ("MatMul", ["p", "v"], ["out"])]


def test_other_wheres_graph_outputs_and_subgraph_models_are_left_alone():
    other_where = graph(("IsNaN", ["p"], ["nan"]), ("Where", ["nan", "zero", "q"], ["w"]), outputs=["w"])
    assert without_nan_guards(other_where) == (other_where, 0)  # it guards another value: not a no-op
    as_output = graph(("IsNaN", ["p"], ["nan"]), ("Where", ["nan", "zero", "p"], ["w"]), outputs=["w"])
    assert without_nan_guards(as_output) == (as_output, 0)
    with_loop = graph(("IsNaN", ["p"], ["nan"]), ("Where", ["nan", "zero", "p"], ["w"]), ("Loop", ["w"], ["o"]))
    assert without_nan_guards(with_loop) == (with_loop, 0)


def test_the_shipped_model_loses_its_six_guards_and_keeps_its_vectors():
    edited = MiniLMEmbedder(batch_size=4)
    texts = ["Iran sent drones to Russia.", "x", "The UN adopted resolution 2231 in 2015, officials said. " * 12]
    vectors = edited.embed(texts)
    assert edited.nan_guards_removed == 6
    options = onnxruntime.SessionOptions()
    original = MiniLMEmbedder(batch_size=4)
    original._load()
    original._session = onnxruntime.InferenceSession(str(original.model_path), options,
                                                     providers=["CPUExecutionProvider"])
    assert np.min(np.sum(vectors * original.embed(texts), axis=1)) >= 0.99999
