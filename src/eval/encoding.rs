//! Which text encoding a tip file is in, and reading it as UTF-8.
//!
//! Offices save tips from Excel: "CSV (逗号分隔)" on Chinese Windows is GBK, "Unicode 文本" is
//! UTF-16 with a byte order mark. A file is read as what its byte order mark says; without
//! one, as UTF-8 when its first bytes are UTF-8, and otherwise as what those bytes look like
//! (GBK for Chinese text). A caller may name the encoding instead.
//!
//! Decoding replaces nothing: a byte sequence that is not text in the file's encoding comes
//! out as a byte that is not UTF-8 either, so that the record holding it becomes an error
//! record just as in a UTF-8 file, and the records around it are read as usual.

use std::io::{self, Read};

use encoding_rs::DecoderResult;
pub use encoding_rs::{Encoding, UTF_8};

/// The bytes looked at to tell the encoding.
pub(crate) const SNIFF_BYTES: usize = 8 << 10;

/// The encoding named by `label` (`gbk`, `gb18030`, `utf-16le`, `big5`, … as the WHATWG
/// Encoding Standard spells them, case ignored), or `None`.
pub fn named(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
}

/// The encoding of a file that starts with `head`, and the length of its byte order mark.
/// `complete` says `head` is the whole file, so that a multi-byte character cut off at its end
/// is an error rather than the start of the next read.
pub(crate) fn sniff(head: &[u8], complete: bool) -> (&'static Encoding, usize) {
    if let Some((encoding, bom)) = Encoding::for_bom(head) {
        return (encoding, bom);
    }
    if mostly_utf8(head, complete) {
        return (UTF_8, 0);
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(head, complete);
    // Tips are written in mainland China: among the legacy encodings, GBK is the likeliest.
    let guess = detector.guess(Some(b"cn"), chardetng::Utf8Detection::Deny);
    (guess, 0)
}

/// Whether `head` is UTF-8 text, perhaps with a few broken sequences: at least twice as many
/// well-formed characters beyond ASCII as broken ones. Text in GBK is nowhere near that, and a
/// UTF-8 file with a broken cell is read as UTF-8, so that only the broken record is refused.
fn mostly_utf8(head: &[u8], complete: bool) -> bool {
    let (mut wide, mut broken) = (0usize, 0usize);
    let mut rest = head;
    loop {
        match simdutf8::compat::from_utf8(rest) {
            Ok(text) => {
                wide += text.chars().filter(|c| !c.is_ascii()).count();
                break;
            }
            Err(error) => {
                let valid = &rest[..error.valid_up_to()];
                // The prefix is valid: counting its lead bytes counts its characters.
                wide += valid.iter().filter(|b| **b >= 0xC0).count();
                match error.error_len() {
                    Some(length) => {
                        broken += 1;
                        rest = &rest[error.valid_up_to() + length..];
                    }
                    // Cut off at the end of the bytes looked at, not wrong.
                    None if !complete => break,
                    None => {
                        broken += 1;
                        break;
                    }
                }
            }
        }
    }
    broken == 0 || wide >= 2 * broken
}

/// A byte source read as UTF-8, decoded from `encoding`.
pub(crate) struct Decoding<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    raw: Box<[u8]>,
    start: usize,
    end: usize,
    decoded: Box<[u8]>,
    taken: usize,
    ready: usize,
    eof: bool,
    finished: bool,
}

/// A byte that never appears in UTF-8: it stands for a sequence that is not text.
const NOT_TEXT: u8 = 0xFF;

impl<R: Read> Decoding<R> {
    /// `inner`, after its byte order mark if any, decoded from `encoding`.
    pub(crate) fn new(inner: R, encoding: &'static Encoding) -> Decoding<R> {
        Decoding {
            inner,
            decoder: encoding.new_decoder_without_bom_handling(),
            raw: vec![0; 1 << 16].into_boxed_slice(),
            start: 0,
            end: 0,
            decoded: vec![0; 1 << 16].into_boxed_slice(),
            taken: 0,
            ready: 0,
            eof: false,
            finished: false,
        }
    }

    /// Decodes more of the input into `decoded`; false at the end.
    fn decode_more(&mut self) -> io::Result<bool> {
        self.taken = 0;
        self.ready = 0;
        while self.ready == 0 {
            if self.finished {
                return Ok(false);
            }
            if self.start == self.end && !self.eof {
                self.start = 0;
                self.end = loop {
                    match self.inner.read(&mut self.raw) {
                        Ok(read) => break read,
                        Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                        Err(error) => return Err(error),
                    }
                };
                self.eof = self.end == 0;
            }
            // Room for the stand-in byte of a malformed sequence.
            let room = self.decoded.len() - 1;
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.raw[self.start..self.end],
                &mut self.decoded[self.ready..room],
                self.eof,
            );
            self.start += read;
            self.ready += written;
            match result {
                DecoderResult::InputEmpty => self.finished = self.eof,
                DecoderResult::OutputFull => {}
                DecoderResult::Malformed(_, _) => {
                    self.decoded[self.ready] = NOT_TEXT;
                    self.ready += 1;
                }
            }
        }
        Ok(true)
    }
}

impl<R: Read> Read for Decoding<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.taken == self.ready && !self.decode_more()? {
            return Ok(0);
        }
        let count = out.len().min(self.ready - self.taken);
        out[..count].copy_from_slice(&self.decoded[self.taken..self.taken + count]);
        self.taken += count;
        Ok(count)
    }
}

/// Whether `encoding` is one whose text is UTF-8 already.
pub(crate) fn is_utf8(encoding: &'static Encoding) -> bool {
    encoding == UTF_8
}

#[cfg(test)]
mod tests {
    use super::{Decoding, sniff};
    use encoding_rs::{GBK, UTF_8, UTF_16LE};
    use std::io::Read;

    fn decoded(bytes: &[u8], encoding: &'static encoding_rs::Encoding) -> Vec<u8> {
        let mut out = Vec::new();
        Decoding::new(bytes, encoding)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn excel_exports_are_told_apart() {
        let (gbk, _, _) = GBK.encode("编号,内容,收到日期\nA1,村里的公示栏一年没有更新,2024/3/11\n");
        assert_eq!(sniff(&gbk, true), (GBK, 0));
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "编号\t内容".encode_utf16() {
            utf16.extend(unit.to_le_bytes());
        }
        assert_eq!(sniff(&utf16, true), (UTF_16LE, 2));
        assert_eq!(sniff("编号,内容".as_bytes(), true), (UTF_8, 0));
        // A character cut off by the end of the bytes looked at is still UTF-8.
        assert_eq!(sniff(&"编号".as_bytes()[..4], false), (UTF_8, 0));
        // UTF-8 with one broken cell is still UTF-8.
        let mut broken = "编号,内容\nA1,村里的公示栏一年没有更新\n"
            .as_bytes()
            .to_vec();
        broken.insert(12, 0xFF);
        assert_eq!(sniff(&broken, true), (UTF_8, 0));
    }

    #[test]
    fn a_sequence_that_is_not_text_becomes_a_byte_that_is_not_utf8() {
        let (gbk, _, _) = GBK.encode("甲\n乙\n");
        let mut gbk = gbk.into_owned();
        gbk.insert(2, 0x81); // a lead byte followed by a line break
        let text = decoded(&gbk, GBK);
        assert_eq!(text, b"\xe7\x94\xb2\xff\n\xe4\xb9\x99\n");
    }

    #[test]
    fn long_input_decodes_across_reads() {
        let text = "村里的公示栏一年没有更新。\n".repeat(20_000);
        let (gbk, _, _) = GBK.encode(&text);
        assert_eq!(decoded(&gbk, GBK), text.as_bytes());
    }
}
