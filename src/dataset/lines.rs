//! The dataset's order lines, decoded when first read: a part of the file joined from a worker
//! keeps its lines as the worker wrote them until an analysis reads lines.

use std::cell::{Cell, OnceCell};
use std::fmt;

use super::join::PartLines;
use super::Line;

/// The lines of a [`super::Dataset`]: those read here, then a joined part's, decoded on the
/// first read of any (orders alone never read them: the customer table's BTYD columns, the
/// models, the segments).
#[derive(Default)]
pub(crate) struct Lines {
    decoded: OnceCell<Vec<Line>>,
    /// Until then: the lines read here and the part's.
    encoded: Cell<Option<Box<Encoded>>>,
    /// How many they are in all.
    count: usize,
}

/// The lines read here, decoded, and a joined part's, not yet.
type Encoded = (Vec<Line>, PartLines);

impl Lines {
    /// `lines`, then (when given) a joined part's.
    pub(crate) fn new(lines: Vec<Line>, part: Option<PartLines>) -> Self {
        match part {
            None => Lines { count: lines.len(), decoded: OnceCell::from(lines), encoded: Cell::new(None) },
            Some(part) => {
                let count = lines.len().saturating_add(part.count());
                Lines { count, decoded: OnceCell::new(), encoded: Cell::new(Some(Box::new((lines, part)))) }
            }
        }
    }

    /// All the lines (decoded now if they were not yet).
    pub(crate) fn get(&self) -> &[Line] {
        self.decoded.get_or_init(|| match self.encoded.take() {
            Some(both) => {
                let (mut lines, part) = *both;
                part.decode_onto(&mut lines);
                lines
            }
            None => Vec::new(),
        })
    }

    /// How many lines there are, without decoding them.
    pub(crate) fn len(&self) -> usize {
        self.decoded.get().map_or(self.count, Vec::len)
    }

    /// Whether they were decoded (tests of when they are).
    #[cfg(test)]
    pub(crate) fn is_decoded(&self) -> bool {
        self.decoded.get().is_some()
    }
}

impl From<Vec<Line>> for Lines {
    fn from(lines: Vec<Line>) -> Self {
        Lines::new(lines, None)
    }
}

/// As the lines it holds (decoding them).
impl fmt::Debug for Lines {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.get(), f)
    }
}

impl Clone for Lines {
    fn clone(&self) -> Self {
        self.get().to_vec().into()
    }
}
