// A small CSV reader for the demo: the mapping step's preview rows and the sample's margin.

/** The first `limit` records of `text` split on `delimiter`, honouring quotes (CRLF, LF or CR line ends). */
export function csvRecords(text, delimiter, limit) {
  const records = [];
  let record = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length && records.length < limit; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === "") quoted = true;
    else if (ch === delimiter) {
      record.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      record.push(cell);
      records.push(record);
      record = [];
      cell = "";
    } else cell += ch;
  }
  if (records.length < limit && (cell !== "" || record.length)) records.push([...record, cell]);
  return records;
}
