"""Pages of the three admins (三员分立): system admin, security admin, audit admin, each behind its own role.

One module per subject: `units`, `people`, `charges`, `holidays` (system admin), `roles` (security
admin), `audit_trail` (audit admin). Views validate input, call a service and redirect with a message;
a service's refusal is shown on the form it came from.
"""
