//! XDR (RFC 4506) as libvirt's RPC uses it: big-endian 4-byte units, strings and opaques padded
//! to 4 bytes, optional data as a 0/1 boolean, arrays as a count then the elements.

use crate::{Malformed, Result};

/// libvirt's REMOTE_STRING_MAX: no string on the wire is longer.
pub const STRING_MAX: usize = 4_194_304;

/// An encoder appending to a buffer.
#[derive(Default)]
pub struct Enc {
    pub buf: Vec<u8>,
}

impl Enc {
    pub fn new() -> Enc {
        Enc::default()
    }

    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }

    pub fn i32(&mut self, v: i32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }

    /// A hyper: 8 bytes, big-endian.
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }

    pub fn bool(&mut self, v: bool) -> &mut Self {
        self.u32(v as u32)
    }

    /// A variable-length opaque or string: length, bytes, zero padding.
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.u32(b.len() as u32);
        self.fixed(b)
    }

    /// A fixed-length opaque: the bytes and their padding, no length.
    pub fn fixed(&mut self, b: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(b);
        let pad = (4 - b.len() % 4) % 4;
        self.buf.extend_from_slice(&[0u8; 3][..pad]);
        self
    }

    pub fn string(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }

    /// remote_string: a pointer to a string, which may be NULL.
    pub fn opt_string(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.bool(true).string(s),
            None => self.bool(false),
        }
    }
}

/// A value with an XDR form: the generated protocol's structures (`protocol`), and `()` for a
/// procedure without arguments or reply.
pub trait Xdr: Sized {
    fn encode(&self, e: &mut Enc);
    fn decode(d: &mut Dec) -> Result<Self>;
}

impl Xdr for () {
    fn encode(&self, _e: &mut Enc) {}

    fn decode(_d: &mut Dec) -> Result<Self> {
        Ok(())
    }
}

/// A decoder over one message body.
pub struct Dec<'a> {
    buf: &'a [u8],
    pos: usize,
}

/// A body that does not decode.
pub fn malformed() -> Malformed {
    Malformed
}

impl<'a> Dec<'a> {
    pub fn new(buf: &'a [u8]) -> Dec<'a> {
        Dec { buf, pos: 0 }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).ok_or_else(malformed)?;
        let s = self.buf.get(self.pos..end).ok_or_else(malformed)?;
        self.pos = end;
        Ok(s)
    }

    pub fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub fn i32(&mut self) -> Result<i32> {
        Ok(self.u32()? as i32)
    }

    pub fn u64(&mut self) -> Result<u64> {
        let hi = self.u32()? as u64;
        let lo = self.u32()? as u64;
        Ok(hi << 32 | lo)
    }

    pub fn bool(&mut self) -> Result<bool> {
        match self.u32()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(malformed()),
        }
    }

    pub fn fixed(&mut self, n: usize) -> Result<&'a [u8]> {
        let b = self.take(n)?;
        self.take((4 - n % 4) % 4)?;
        Ok(b)
    }

    /// A counted array's length, checked against its bound.
    pub fn count(&mut self, max: usize) -> Result<usize> {
        let n = self.u32()? as usize;
        if n > max {
            return Err(malformed());
        }
        Ok(n)
    }

    pub fn string(&mut self) -> Result<String> {
        let n = self.count(STRING_MAX)?;
        let b = self.fixed(n)?;
        String::from_utf8(b.to_vec()).map_err(|_| malformed())
    }

    pub fn opt_string(&mut self) -> Result<Option<String>> {
        if self.bool()? {
            Ok(Some(self.string()?))
        } else {
            Ok(None)
        }
    }

    pub fn uuid(&mut self) -> Result<[u8; 16]> {
        let mut u = [0u8; 16];
        u.copy_from_slice(self.fixed(16)?);
        Ok(u)
    }

    #[cfg(test)]
    fn domain(&mut self) -> Result<(String, [u8; 16], i32)> {
        Ok((self.string()?, self.uuid()?, self.i32()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let d = ("abcde".to_string(), [7u8; 16], -1);
        let mut e = Enc::new();
        e.u32(5)
            .i32(-2)
            .opt_string(None)
            .opt_string(Some("xy"))
            .string(&d.0)
            .fixed(&d.1)
            .i32(d.2);
        assert_eq!(e.buf.len(), 4 + 4 + 4 + (4 + 4 + 4) + (4 + 8 + 16 + 4));
        let mut r = Dec::new(&e.buf);
        assert_eq!(r.u32().unwrap(), 5);
        assert_eq!(r.i32().unwrap(), -2);
        assert_eq!(r.opt_string().unwrap(), None);
        assert_eq!(r.opt_string().unwrap().as_deref(), Some("xy"));
        assert_eq!(r.domain().unwrap(), d);
        assert!(r.u32().is_err());
    }

    #[test]
    fn refuses_bad_input() {
        let mut e = Enc::new();
        e.u32(0xffff_fff0);
        assert!(Dec::new(&e.buf).string().is_err());
        assert!(Dec::new(&[0, 0, 0, 2]).bool().is_err());
        assert!(Dec::new(&[0, 0, 0, 3, b'a']).string().is_err());
    }
}
