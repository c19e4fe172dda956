"""Official channels of the operator, and checking what contacted a customer against them."""
