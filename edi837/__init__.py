"""edi837: front-end checks for 837I hospital-based ambulance claims."""
