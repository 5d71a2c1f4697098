"""What a call cost: the cost model, prices (built-in, pulled or the user's) and savings."""
