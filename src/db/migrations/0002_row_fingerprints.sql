-- Row fingerprints: the hash of the snapshot line that last set each customer, so that the next
-- import leaves unchanged lines out of staging (see src/customers/row-fingerprints.ts).
alter table customers add column row_fingerprint uuid;
-- The file layout under which an import's fingerprints were computed; another layout never matches.
alter table imports add column fingerprint_basis text;
