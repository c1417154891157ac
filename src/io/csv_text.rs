//! CSV text through the `csv` crate (RFC 4180 quoting: a field with a comma, quote or line
//! break is quoted), for the files whose columns are known only at run time (a sweep's
//! summary, whose axes come from the sweep file) or hold free text (claims.csv).

/// The records, the header first, as CSV text.
pub fn csv_text<I, R, F>(records: I) -> anyhow::Result<String>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = F>,
    F: AsRef<[u8]>,
{
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in records {
        w.write_record(r)?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_is_quoted_only_where_it_must_be() {
        let text = csv_text([
            vec!["id", "reason"],
            vec!["a", "plain"],
            vec!["b", "says \"no\", twice"],
        ])
        .unwrap();
        assert_eq!(text, "id,reason\na,plain\nb,\"says \"\"no\"\", twice\"\n");
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(&rows[1][1], "says \"no\", twice");
    }
}
