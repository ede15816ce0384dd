//! A disk image's backing chain, read from its qcow2 header at start as the reference's
//! qemuDomainDetermineDiskChain does: qemu opens every layer as its own block node, and the live
//! definition shows them as nested `<backingStore>` elements.

use crate::domain::devices::Element;
use std::io::Read;
use std::path::Path;

const QCOW2_MAGIC: &[u8; 4] = b"QFI\xfb";
/// The header extension that names the backing file's format.
const EXT_BACKING_FORMAT: u32 = 0xE279_2A8A;
/// The end of the header extensions.
const EXT_END: u32 = 0;
/// Version 2 headers are 72 bytes; version 3 say their length at offset 100.
const V2_HEADER_LEN: usize = 72;
/// Enough for the header, its extensions and the backing file's name.
const HEADER_READ: u64 = 64 * 1024;
/// A chain deeper than this is refused as a loop would be.
const MAX_DEPTH: usize = 32;

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn be64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// The backing file and its format (if the header says) of a qcow2 header.
fn qcow2_backing(h: &[u8]) -> Option<(String, Option<String>)> {
    if h.get(..4)? != QCOW2_MAGIC {
        return None;
    }
    let offset = usize::try_from(be64(h, 8)?).ok()?;
    let size = be32(h, 16)? as usize;
    if offset == 0 || size == 0 {
        return None;
    }
    let name = String::from_utf8(h.get(offset..offset + size)?.to_vec()).ok()?;
    let mut at = match be32(h, 4)? {
        2 => V2_HEADER_LEN,
        _ => be32(h, 100)? as usize,
    };
    let mut format = None;
    while let (Some(kind), Some(len)) = (be32(h, at), be32(h, at + 4)) {
        if kind == EXT_END {
            break;
        }
        let len = len as usize;
        if kind == EXT_BACKING_FORMAT {
            format = h
                .get(at + 8..at + 8 + len)
                .and_then(|b| String::from_utf8(b.to_vec()).ok());
        }
        at += 8 + len.div_ceil(8) * 8;
    }
    Some((name, format))
}

/// The layers under `file` (of format `format`): each backing file, top down, with its format
/// (raw where the header does not say, as qemu assumes it).
pub fn chain(file: &str, format: &str) -> Vec<(String, String)> {
    let mut layers = Vec::new();
    let (mut file, mut format) = (file.to_string(), format.to_string());
    while format == "qcow2" && layers.len() < MAX_DEPTH {
        let mut header = Vec::new();
        let read =
            std::fs::File::open(&file).and_then(|f| f.take(HEADER_READ).read_to_end(&mut header));
        let Some((name, fmt)) = read.ok().and_then(|_| qcow2_backing(&header)) else {
            break;
        };
        // A relative backing name is relative to the directory of the image that names it.
        let path = match Path::new(&name).is_absolute() {
            true => name,
            false => Path::new(&file)
                .parent()
                .unwrap_or(Path::new("/"))
                .join(name)
                .to_string_lossy()
                .into_owned(),
        };
        let fmt = fmt.unwrap_or_else(|| "raw".into());
        layers.push((path.clone(), fmt.clone()));
        (file, format) = (path, fmt);
    }
    layers
}

/// `<backingStore type='file' index='N'><format type='F'/><source file='P'/>...` for the layers,
/// numbered from `first`; an empty `<backingStore/>` ends the chain.
pub fn backing_store(layers: &[(String, String)], first: usize) -> Element {
    match layers.split_first() {
        None => Element::new("backingStore"),
        Some(((path, format), rest)) => {
            let mut e = Element::new("backingStore")
                .with_attr("type", "file")
                .with_attr("index", &first.to_string());
            e.children
                .push(Element::new("format").with_attr("type", format));
            e.children
                .push(Element::new("source").with_attr("file", path));
            e.children.push(backing_store(rest, first + 1));
            e
        }
    }
}

/// The layers a live `<disk>` (or `<backingStore>`) shows under it: (index, path, format), top
/// down.
pub fn layers_of(e: &Element) -> Vec<(usize, String, String)> {
    let mut out = Vec::new();
    let mut at = e.child("backingStore");
    while let Some(b) = at {
        let (Some(index), Some(path)) = (
            b.attr("index").and_then(|i| i.parse().ok()),
            b.child_attr("source", "file"),
        ) else {
            break;
        };
        let format = b.child_attr("format", "type").unwrap_or("raw");
        out.push((index, path.to_string(), format.to_string()));
        at = b.child("backingStore");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_v3_header_names_its_backing_file_and_format() {
        let mut h = vec![0u8; 512];
        h[..4].copy_from_slice(QCOW2_MAGIC);
        h[4..8].copy_from_slice(&3u32.to_be_bytes());
        h[8..16].copy_from_slice(&400u64.to_be_bytes());
        h[16..20].copy_from_slice(&4u32.to_be_bytes());
        h[100..104].copy_from_slice(&112u32.to_be_bytes());
        h[112..116].copy_from_slice(&EXT_BACKING_FORMAT.to_be_bytes());
        h[116..120].copy_from_slice(&3u32.to_be_bytes());
        h[120..123].copy_from_slice(b"raw");
        h[400..404].copy_from_slice(b"base");
        assert_eq!(
            qcow2_backing(&h),
            Some(("base".to_string(), Some("raw".to_string())))
        );
        h[8..16].copy_from_slice(&0u64.to_be_bytes());
        assert_eq!(qcow2_backing(&h), None);
    }

    #[test]
    fn layers_read_back_from_the_xml() {
        let layers = [
            ("/b".to_string(), "qcow2".to_string()),
            ("/c".into(), "raw".into()),
        ];
        let mut disk = Element::new("disk");
        disk.children.push(backing_store(&layers, 2));
        assert_eq!(
            layers_of(&disk),
            vec![
                (2, "/b".into(), "qcow2".into()),
                (3, "/c".into(), "raw".into())
            ]
        );
    }
}
