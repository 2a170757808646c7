-- The W3C traceparent of the request that queued the job, passed on to the calls the job makes.
ALTER TABLE jobs ADD COLUMN traceparent TEXT;
