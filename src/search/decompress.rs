//! `-z/--search-zip`: files recognised as compressed by their name are
//! decompressed as a stream and the result is searched.
//!
//! The names are ripgrep's (`*.gz`, `*.tgz`, `*.bz2`, `*.tbz2`, `*.xz`,
//! `*.txz`, `*.lzma`, `*.lz4`, `*.br`, `*.zst`, `*.zstd`, `*.Z`; case
//! matters). ripgrep runs `gzip -d -c`, `xz -d -c`, ... per file and, when
//! a program is missing, quietly searches the compressed bytes instead.
//! trawl decodes in-process with pure-Rust crates: no process per file, the
//! same results on every machine whatever is installed, and no C code to
//! build (the crates compile in well under a minute on 2 cores, where
//! zstd-sys and liblzma-sys would compile C libraries). Each decoder
//! accepts what the command-line tool accepts for ordinary files:
//! concatenated gzip members, bzip2 streams, xz streams, lz4 and zstd
//! frames.
//!
//! `.Z` (LZW, `compress`) has no maintained crate, so it is the one format
//! left to a program, `uncompress -c`, as in ripgrep; where it is missing,
//! the file is reported as an error rather than searched compressed.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::process::Command;

use super::process::CommandReader;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Gzip,
    Bzip2,
    Xz,
    Lzma,
    Lz4,
    Brotli,
    Zstd,
    /// `.Z`: decoded by `uncompress -c`.
    Compress,
}

impl Format {
    /// The format a file name says, by ripgrep's globs.
    pub fn of(path: &Path) -> Option<Format> {
        let name = path.file_name()?.as_encoded_bytes();
        let ext = &name[name.iter().rposition(|&b| b == b'.')? + 1..];
        Some(match ext {
            b"gz" | b"tgz" => Format::Gzip,
            b"bz2" | b"tbz2" => Format::Bzip2,
            b"xz" | b"txz" => Format::Xz,
            b"lzma" => Format::Lzma,
            b"lz4" => Format::Lz4,
            b"br" => Format::Brotli,
            b"zst" | b"zstd" => Format::Zstd,
            b"Z" => Format::Compress,
            _ => return None,
        })
    }

    /// The name used in error messages (the program ripgrep would run).
    fn name(self) -> &'static str {
        match self {
            Format::Gzip => "gzip",
            Format::Bzip2 => "bzip2",
            Format::Xz => "xz",
            Format::Lzma => "lzma",
            Format::Lz4 => "lz4",
            Format::Brotli => "brotli",
            Format::Zstd => "zstd",
            Format::Compress => "uncompress",
        }
    }
}

/// Buffer between the file and a decoder.
const BUF: usize = 64 * 1024;

/// A reader of the decompressed contents of `path`.
pub fn open(format: Format, path: &Path) -> io::Result<Box<dyn Read>> {
    if format == Format::Compress {
        let mut command = Command::new("uncompress");
        command.arg("-c").arg(path);
        return match CommandReader::spawn(&mut command) {
            Ok(reader) => Ok(Box::new(reader)),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Err(io::Error::other(
                "-z needs the program 'uncompress' (from gzip) for .Z files; it was not found",
            )),
            Err(error) => Err(io::Error::other(format!("uncompress: {error}"))),
        };
    }
    let file = BufReader::with_capacity(BUF, File::open(path)?);
    let decoder: Box<dyn Read> = match format {
        Format::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(file)),
        Format::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(file)),
        Format::Xz => Box::new(lzma_rust2::XzReader::new(file, true)),
        Format::Lzma => Box::new(
            lzma_rust2::LzmaReader::new_mem_limit(file, u32::MAX, None)
                .map_err(|error| named(Format::Lzma, error))?,
        ),
        Format::Lz4 => Box::new(Lz4Frames(lz4_flex::frame::FrameDecoder::new(file))),
        Format::Brotli => Box::new(brotli_decompressor::Decompressor::new(file, BUF)),
        Format::Zstd => Box::new(ZstdFrames {
            input: Some(file),
            started: false,
            frame: None,
        }),
        Format::Compress => unreachable!("handled above"),
    };
    Ok(Box::new(Named {
        inner: decoder,
        format,
    }))
}

/// Words decoding errors as the decoder's failure: `trawl: a.gz: gzip
/// decompression failed: ...`.
struct Named<R> {
    inner: R,
    format: Format,
}

impl<R: Read> Read for Named<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner
            .read(buf)
            .map_err(|error| named(self.format, error))
    }
}

fn named(format: Format, error: io::Error) -> io::Error {
    // Each decoder words a truncated input its own way ("incomplete
    // deflate stream", "failed to fill whole buffer", ...); say it once,
    // as the command-line tools do.
    let message = if truncated(&error) {
        "unexpected end of file".to_string()
    } else {
        error.to_string()
    };
    let name = format.name();
    io::Error::new(
        error.kind(),
        format!("{name} decompression failed: {message}"),
    )
}

/// Whether the input ended too soon: an `UnexpectedEof` anywhere in the
/// error's chain (zstd wraps it in its own errors).
fn truncated(error: &io::Error) -> bool {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = next {
        next = match error.downcast_ref::<io::Error>() {
            Some(io) if io.kind() == io::ErrorKind::UnexpectedEof => return true,
            // An io::Error's `source` skips the error it wraps.
            Some(io) => io.get_ref().map(|inner| inner as _),
            None => error.source(),
        };
    }
    false
}

/// lz4 input may hold several frames (as `lz4 -d` accepts): the decoder
/// reads each end of frame as the end of input, and goes on to the next
/// frame when read again.
struct Lz4Frames<R: BufRead>(lz4_flex::frame::FrameDecoder<R>);

impl<R: BufRead> Read for Lz4Frames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.0.read(buf)?;
            if n > 0 || buf.is_empty() || self.0.get_mut().fill_buf()?.is_empty() {
                return Ok(n);
            }
        }
    }
}

/// zstd input may hold several frames (as `zstd -d` accepts); the
/// streaming decoder reads one, so a new one starts while input remains.
struct ZstdFrames<R: BufRead> {
    input: Option<R>,
    /// A frame was found.
    started: bool,
    frame: Option<ruzstd::decoding::StreamingDecoder<R, ruzstd::decoding::FrameDecoder>>,
}

impl<R: BufRead> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(frame) = &mut self.frame {
                let n = frame.read(buf)?;
                if n > 0 || buf.is_empty() {
                    return Ok(n);
                }
                self.input = self.frame.take().map(|frame| frame.into_inner());
            }
            let Some(mut input) = self.input.take() else {
                return Ok(0);
            };
            if input.fill_buf()?.is_empty() {
                if !self.started {
                    // No frame at all, as `zstd -d` says of an empty file.
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "unexpected end of file",
                    ));
                }
                return Ok(0);
            }
            self.started = true;
            let frame = ruzstd::decoding::StreamingDecoder::new(input)
                .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error.to_string()))?;
            self.frame = Some(frame);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_follow_ripgreps_globs() {
        let of = |name: &str| Format::of(Path::new(name));
        assert_eq!(of("dir/a.gz"), Some(Format::Gzip));
        assert_eq!(of("a.tar.tgz"), Some(Format::Gzip));
        assert_eq!(of("a.tbz2"), Some(Format::Bzip2));
        assert_eq!(of("a.txz"), Some(Format::Xz));
        assert_eq!(of("a.lzma"), Some(Format::Lzma));
        assert_eq!(of("a.zstd"), Some(Format::Zstd));
        assert_eq!(of("a.Z"), Some(Format::Compress));
        assert_eq!(of("a.z"), None);
        assert_eq!(of("a.GZ"), None);
        assert_eq!(of("gz"), None);
        assert_eq!(of("a.zip"), None);
    }
}
