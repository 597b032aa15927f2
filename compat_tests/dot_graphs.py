"""A pydot graph as plain data: node labels and edges by layer name, so that
keraslite's and Keras's `model_to_dot` can be compared (ids differ)."""


def dot_summary(dot, model):
    names = {}

    def walk(layer):
        names[str(id(layer))] = layer.name
        for inner in getattr(layer, "layers", None) or []:
            walk(inner)

    walk(model)

    def graph(g):
        nodes = sorted((names.get(n.get_name(), n.get_name()), n.get("label"))
                       for n in g.get_nodes() if n.get_name() not in ("node", "edge", "graph"))
        edges = sorted((names[e.get_source()], names[e.get_destination()])
                       for e in g.get_edges())
        subs = sorted((s.get_name(), graph(s)) for s in g.get_subgraphs())
        return {"attrs": sorted(g.get_attributes().items()), "nodes": nodes,
                "edges": edges, "subgraphs": subs}

    return graph(dot)
