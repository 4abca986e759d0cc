"""Lending API of a public library: the open catalogue, members' loans and holds."""
