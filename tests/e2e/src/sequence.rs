//! Longest-common-subsequence diff of two short sequences (image histories): input = two slices,
//! output = edits in order (same / only in left / only in right) by index. Invariants: every
//! index of both slices appears exactly once; O(left × right) time and memory, meant for
//! sequences of tens of items.

/// One step of the alignment of `left` and `right`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SequenceEdit {
    Same { left: usize, right: usize },
    OnlyInLeft(usize),
    OnlyInRight(usize),
}

/// Aligns `left` and `right` so that the number of `Same` edits is maximal.
pub fn diff_sequences<T: PartialEq>(left: &[T], right: &[T]) -> Vec<SequenceEdit> {
    let width = right.len() + 1;
    // common[i * width + j] = LCS length of left[i..] and right[j..].
    let mut common = vec![0_usize; (left.len() + 1) * width];
    for i in (0..left.len()).rev() {
        for j in (0..right.len()).rev() {
            common[i * width + j] = if left[i] == right[j] {
                common[(i + 1) * width + j + 1] + 1
            } else {
                common[(i + 1) * width + j].max(common[i * width + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut edits = Vec::with_capacity(left.len() + right.len());
    while i < left.len() && j < right.len() {
        if left[i] == right[j] {
            edits.push(SequenceEdit::Same { left: i, right: j });
            i += 1;
            j += 1;
        } else if common[(i + 1) * width + j] >= common[i * width + j + 1] {
            edits.push(SequenceEdit::OnlyInLeft(i));
            i += 1;
        } else {
            edits.push(SequenceEdit::OnlyInRight(j));
            j += 1;
        }
    }
    edits.extend((i..left.len()).map(SequenceEdit::OnlyInLeft));
    edits.extend((j..right.len()).map(SequenceEdit::OnlyInRight));
    edits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_insertions_and_deletions() {
        let edits = diff_sequences(&["a", "b", "c", "d"], &["a", "c", "x", "d"]);
        assert_eq!(
            edits,
            [
                SequenceEdit::Same { left: 0, right: 0 },
                SequenceEdit::OnlyInLeft(1),
                SequenceEdit::Same { left: 2, right: 1 },
                SequenceEdit::OnlyInRight(2),
                SequenceEdit::Same { left: 3, right: 3 },
            ]
        );
    }

    #[test]
    fn handles_empty_sides() {
        assert_eq!(diff_sequences::<u8>(&[], &[]), []);
        assert_eq!(diff_sequences(&[1], &[]), [SequenceEdit::OnlyInLeft(0)]);
        assert_eq!(diff_sequences(&[], &[1]), [SequenceEdit::OnlyInRight(0)]);
    }
}
