DROP TABLE notice_attachments;
DROP TABLE attachments;
DROP TABLE file_chunks;
DROP TABLE files;
DROP FUNCTION files_immutable();
