"""Services: the use cases. They take a unit of work and a clock, return plain data,
and raise ``Refusal`` when the answer is no. They never import Telegram."""
