"""AR104–AR106 (access control on routes): what a handler takes from the request and gives back."""
