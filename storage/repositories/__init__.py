"""Repositories: one per aggregate, SQL inside, plain models out."""
