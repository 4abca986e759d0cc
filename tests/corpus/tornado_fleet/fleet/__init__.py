"""Fleet telematics API: vehicles, their trips, and an administrators' view of accounts."""
