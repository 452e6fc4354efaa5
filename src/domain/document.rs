//! Documents professionals bring to a family's record or to one of its agenda items: a police report, a
//! school report. The description is a row of its own (`documents`) that pages list; the bytes are kept
//! apart (`document_contents`), in the database, so a backup holds them and a list never reads them.
//! What a file is comes from its content (its first bytes), never from its name.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::DbConn;
use crate::schema::{document_contents, documents, organisations, users};

/// A kind of file: how to recognise it, its media type and its usual extension.
type Kind = (fn(&[u8]) -> bool, &'static str, &'static str);

/// The kinds of file a document may be, recognised from the content: PDF, PNG and JPEG images, and the
/// office formats of Word, Excel, PowerPoint and OpenDocument. (The old binary .doc and .xls are not
/// taken: their format cannot be told apart from other containers without reading them whole.)
const KINDS: &[Kind] = &[
    (infer::archive::is_pdf, "application/pdf", "pdf"),
    (infer::image::is_png, "image/png", "png"),
    (infer::image::is_jpeg, "image/jpeg", "jpg"),
    (
        infer::doc::is_docx,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    (
        infer::doc::is_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    (
        infer::doc::is_pptx,
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pptx",
    ),
    (
        infer::odf::is_odt,
        "application/vnd.oasis.opendocument.text",
        "odt",
    ),
    (
        infer::odf::is_ods,
        "application/vnd.oasis.opendocument.spreadsheet",
        "ods",
    ),
    (
        infer::odf::is_odp,
        "application/vnd.oasis.opendocument.presentation",
        "odp",
    ),
];

/// The media type of a file as its content shows it, with its usual extension; None for anything we
/// do not take (a text file named `.pdf` among them).
pub fn recognise(content: &[u8]) -> Option<(&'static str, &'static str)> {
    KINDS
        .iter()
        .find(|(matches, _, _)| matches(content))
        .map(|(_, media, extension)| (*media, *extension))
}

/// A document as pages list it (without its bytes).
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = documents)]
pub struct Document {
    pub id: i64,
    pub family_id: i64,
    pub agenda_item_id: Option<i64>,
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub description: String,
    pub withheld_reason: Option<String>,
    pub uploaded_by_user_id: i64,
    pub uploaded_by_organisation_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

impl Document {
    /// The size for people: "12 kB", "3,4 MB".
    pub fn size(&self) -> String {
        let bytes = self.size_bytes as f64;
        if bytes < 1_000_000.0 {
            format!("{} kB", (bytes / 1000.0).ceil() as i64)
        } else {
            format!("{:.1} MB", bytes / 1_000_000.0).replace('.', ",")
        }
    }

    pub fn withheld(&self) -> bool {
        self.withheld_reason.is_some()
    }
}

/// A document with who brought it.
#[derive(Clone, Debug)]
pub struct DocumentRow {
    pub document: Document,
    pub uploaded_by: String,
    pub organisation: String,
}

/// A new document, checked: a recognised type, not empty.
pub struct NewDocument<'a> {
    pub family_id: i64,
    pub agenda_item_id: Option<i64>,
    pub name: &'a str,
    pub content_type: &'a str,
    pub description: &'a str,
    pub withheld_reason: Option<&'a str>,
    pub uploaded_by_user_id: i64,
    pub uploaded_by_organisation_id: Option<i64>,
    pub content: &'a [u8],
}

/// Stores the description and, apart from it, the bytes. Returns the new id.
pub fn insert(conn: &mut DbConn, new: &NewDocument<'_>) -> QueryResult<i64> {
    let id: i64 = diesel::insert_into(documents::table)
        .values((
            documents::family_id.eq(new.family_id),
            documents::agenda_item_id.eq(new.agenda_item_id),
            documents::name.eq(new.name),
            documents::content_type.eq(new.content_type),
            documents::size_bytes.eq(new.content.len() as i64),
            documents::sha256.eq(hex::encode(Sha256::digest(new.content))),
            documents::description.eq(new.description),
            documents::withheld_reason.eq(new.withheld_reason),
            documents::uploaded_by_user_id.eq(new.uploaded_by_user_id),
            documents::uploaded_by_organisation_id.eq(new.uploaded_by_organisation_id),
            documents::created_at.eq(super::now()),
        ))
        .returning(documents::id)
        .get_result(conn)?;
    diesel::insert_into(document_contents::table)
        .values((
            document_contents::document_id.eq(id),
            document_contents::content.eq(new.content),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The family's documents (those of its agenda items too), newest first.
pub fn for_family(conn: &mut DbConn, family_id: i64) -> QueryResult<Vec<DocumentRow>> {
    let found = documents::table
        .filter(documents::family_id.eq(family_id))
        .order(documents::id.desc())
        .select(Document::as_select())
        .load(conn)?;
    with_names(conn, found)
}

/// The documents brought to one agenda item, newest first.
pub fn for_item(conn: &mut DbConn, agenda_item_id: i64) -> QueryResult<Vec<DocumentRow>> {
    let found = documents::table
        .filter(documents::agenda_item_id.eq(agenda_item_id))
        .order(documents::id.desc())
        .select(Document::as_select())
        .load(conn)?;
    with_names(conn, found)
}

fn with_names(conn: &mut DbConn, found: Vec<Document>) -> QueryResult<Vec<DocumentRow>> {
    let mut out = Vec::with_capacity(found.len());
    for document in found {
        let uploaded_by = users::table
            .find(document.uploaded_by_user_id)
            .select(users::name)
            .first(conn)?;
        let organisation = match document.uploaded_by_organisation_id {
            Some(o) => organisations::table
                .find(o)
                .select(organisations::name)
                .first(conn)?,
            None => String::new(),
        };
        out.push(DocumentRow {
            document,
            uploaded_by,
            organisation,
        });
    }
    Ok(out)
}

/// One document of the family, if it is the family's.
pub fn find(conn: &mut DbConn, family_id: i64, id: i64) -> QueryResult<Option<Document>> {
    documents::table
        .find(id)
        .filter(documents::family_id.eq(family_id))
        .select(Document::as_select())
        .first(conn)
        .optional()
}

/// The family's agenda items a document can still be brought to (their meeting is not closed): (item,
/// table name, meeting start), the latest first.
pub fn items_of_family(
    conn: &mut DbConn,
    family_id: i64,
) -> QueryResult<Vec<(i64, String, NaiveDateTime)>> {
    use crate::schema::{agenda_items, consultation_tables, meetings};
    agenda_items::table
        .inner_join(meetings::table.on(meetings::id.eq(agenda_items::meeting_id)))
        .inner_join(consultation_tables::table.on(consultation_tables::id.eq(meetings::table_id)))
        .filter(agenda_items::family_id.eq(family_id))
        .filter(meetings::closed_at.is_null())
        .order(meetings::starts_at.desc())
        .limit(20)
        .select((
            agenda_items::id,
            consultation_tables::name,
            meetings::starts_at,
        ))
        .load(conn)
}

/// The family an agenda item is about, if it exists and is about one.
pub fn family_of_item(conn: &mut DbConn, agenda_item_id: i64) -> QueryResult<Option<i64>> {
    Ok(crate::schema::agenda_items::table
        .find(agenda_item_id)
        .select(crate::schema::agenda_items::family_id)
        .first::<Option<i64>>(conn)
        .optional()?
        .flatten())
}

/// The bytes of a document.
pub fn content(conn: &mut DbConn, id: i64) -> QueryResult<Vec<u8>> {
    document_contents::table
        .find(id)
        .select(document_contents::content)
        .first(conn)
}

#[cfg(test)]
mod tests {
    use super::recognise;

    #[test]
    fn the_type_comes_from_the_content_not_the_name() {
        assert_eq!(
            recognise(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj").map(|t| t.1),
            Some("pdf")
        );
        assert_eq!(
            recognise(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").map(|t| t.1),
            Some("png")
        );
        assert_eq!(
            recognise(b"\xff\xd8\xff\xe0\0\x10JFIF\0").map(|t| t.1),
            Some("jpg")
        );
        // A text file, whatever it is called, and a plain zip are refused.
        assert_eq!(recognise(b"Dit is geen PDF, alleen tekst.\n"), None);
        assert_eq!(recognise(b"PK\x03\x04\x14\0\0\0\0\0"), None);
        assert_eq!(recognise(b""), None);
        assert_eq!(recognise(b"<html><script>alert(1)</script>"), None);
    }
}
