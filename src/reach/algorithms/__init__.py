"""Graph algorithms over :class:`reach.graph.ReachGraph`."""
