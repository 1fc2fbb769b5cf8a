"""Writers: each a pure function from (claims, findings) to text or bytes."""
