"""Members on the move: temporary branches' whole life, the 流动党员 registry, 组织关系转接."""
