"""The lecture's network: the spec, the forward pass three ways, losses, and backpropagation."""
