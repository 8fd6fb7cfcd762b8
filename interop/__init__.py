"""Exchange with other systems: HL7 v2 ADT intake (MLLP and HTTPS); the FHIR API
lives in ``interop.fhir``. A gatherer: it uses the apps below through their public
surface only."""
