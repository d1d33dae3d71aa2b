"""Leads: what flows back from the website to the broker.

``enquiry`` sends a listing page's enquiry to the broker with an OpenImmo-Feedback XML file
and confirms it to the enquirer; ``agents`` runs search agents (saved filters with double
opt-in); ``withdrawal`` is the opt-in "withdraw from contract" function (§ 356a BGB).
"""
