"""Server roles that follow what members' verified NEAR accounts hold on chain."""
