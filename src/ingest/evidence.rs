//! What a column's values have proved about a two-way format question (d/m vs m/d dates, dot vs
//! comma decimals): one example of each reading, kept to decide and to explain a conflict.

/// The first value seen that only reads one way, and the first that only reads the other way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evidence {
    first: Option<String>,
    second: Option<String>,
}

impl Evidence {
    /// `raw` reads only the first way.
    pub fn saw_first(&mut self, raw: &str) {
        self.first.get_or_insert_with(|| echo(raw));
    }

    /// `raw` reads only the second way.
    pub fn saw_second(&mut self, raw: &str) {
        self.second.get_or_insert_with(|| echo(raw));
    }

    /// `first` or `second` when the data proved exactly one of them; `None` otherwise.
    pub fn proved<T>(&self, first: T, second: T) -> Option<T> {
        match (&self.first, &self.second) {
            (Some(_), None) => Some(first),
            (None, Some(_)) => Some(second),
            _ => None,
        }
    }

    /// True when the data proved both.
    pub fn conflict(&self) -> bool {
        self.first.is_some() && self.second.is_some()
    }

    /// One example of each reading, when [`Self::conflict`] holds.
    pub fn examples(&self) -> Option<(&str, &str)> {
        Some((self.first.as_deref()?, self.second.as_deref()?))
    }
}

/// A value as quoted in a message: trimmed, escaped, at most 40 characters.
pub fn echo(raw: &str) -> String {
    let raw = raw.trim();
    let mut out: String = raw.chars().take(40).flat_map(char::escape_debug).collect();
    if raw.chars().nth(40).is_some() {
        out.push('…');
    }
    out
}
