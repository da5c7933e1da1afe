"""Small helpers shared by the Exact modules."""

from connections import errors

#: Failures that concern the whole connection rather than one record.
RUN_STOPPERS = (errors.RateLimited, errors.ReauthRequired, errors.AuthExpired)
