"""Interoperability models (HL7 v2 ADT intake arrives here; the FHIR API keeps none)."""
