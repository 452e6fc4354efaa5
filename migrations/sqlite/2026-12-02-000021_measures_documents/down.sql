DROP TABLE board_requests;
DROP TABLE measures;
DROP TABLE document_contents;
DROP TABLE documents;
