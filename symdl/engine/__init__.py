"""The derivation engine: from a declaration to every fact about it (derivative, output form,
breakpoints, properties, worked steps), each proved before it is reported."""
