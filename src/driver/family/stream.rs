//! The stream family: what a driver opens a stream on (libvirt's drivers attach a stream driver
//! to the application's stream: an fd stream over a local file, or the remote driver's stream
//! over its connection). The stream calls themselves (virStream*) are the C boundary's
//! (src/ffi/stream.rs); a driver only says what a stream reads and writes.

use super::unsupported;
use crate::domain::DomainRef;
use crate::driver::family::StorageVolRef;
use crate::error::{Result, VIR_FROM_DOMAIN, VIR_FROM_STORAGE};
use std::sync::Arc;

/// virDomainScreenshot's answer: the image's MIME type and what the stream then reads.
pub struct Screenshot {
    pub mime: String,
    pub body: StreamBody,
}

/// What serves an application's stream once a driver opened it.
pub enum StreamBody {
    /// A local file (libvirt's fd stream).
    File(std::fs::File),
    /// A stream the driver serves itself (the remote driver's, over its connection).
    Channel(Arc<dyn StreamChannel>),
}

impl From<std::fs::File> for StreamBody {
    fn from(file: std::fs::File) -> StreamBody {
        StreamBody::File(file)
    }
}

/// virStreamRecv's answer when a non-blocking stream has nothing yet.
pub(crate) const RECV_WOULD_BLOCK: i32 = -2;
/// virStreamRecvFlags' answer at a hole with VIR_STREAM_RECV_STOP_AT_HOLE.
pub(crate) const RECV_AT_HOLE: i32 = -3;

/// An application's stream callback, as a driver's stream calls it (with the events).
pub type StreamCallback = Box<dyn Fn(i32) + Send + Sync>;

/// A stream a driver serves itself: libvirt's virStreamDriver.
pub trait StreamChannel: Send + Sync {
    /// How much of `data` went.
    fn send(&self, data: &[u8]) -> Result<i32>;
    /// How much came (0 at the end), or RECV_WOULD_BLOCK, or RECV_AT_HOLE.
    fn recv(&self, buf: &mut [u8], nonblock: bool, flags: u32) -> Result<i32>;
    fn send_hole(&self, length: i64, flags: u32) -> Result<()>;
    fn recv_hole(&self, flags: u32) -> Result<i64>;
    fn finish(&self) -> Result<()>;
    fn abort(&self) -> Result<()>;
    fn add_callback(&self, events: i32, callback: StreamCallback) -> Result<()>;
    fn update_callback(&self, events: i32) -> Result<()>;
    fn remove_callback(&self) -> Result<()>;
}

pub trait StreamDriver: Send + Sync {
    /// virDomainScreenshot of `screen`.
    fn stream_screenshot(&self, _dom: &DomainRef, _screen: u32, _flags: u32) -> Result<Screenshot> {
        unsupported(VIR_FROM_DOMAIN, "virDomainScreenshot")
    }

    /// virStorageVolUpload: what the application sends is written to the volume.
    fn stream_vol_upload(
        &self,
        _vol: &StorageVolRef,
        _offset: u64,
        _length: u64,
        _flags: u32,
    ) -> Result<StreamBody> {
        unsupported(VIR_FROM_STORAGE, "virStorageVolUpload")
    }

    /// virStorageVolDownload: the stream reads the volume.
    fn stream_vol_download(
        &self,
        _vol: &StorageVolRef,
        _offset: u64,
        _length: u64,
        _flags: u32,
    ) -> Result<StreamBody> {
        unsupported(VIR_FROM_STORAGE, "virStorageVolDownload")
    }

    /// virDomainOpenConsole: the stream is the console `dev_name` (the first when None).
    fn stream_open_console(
        &self,
        _dom: &DomainRef,
        _dev_name: Option<String>,
        _flags: u32,
    ) -> Result<StreamBody> {
        unsupported(VIR_FROM_DOMAIN, "virDomainOpenConsole")
    }

    /// virDomainOpenChannel: the stream is the channel `name` (the first when None).
    fn stream_open_channel(
        &self,
        _dom: &DomainRef,
        _name: Option<String>,
        _flags: u32,
    ) -> Result<StreamBody> {
        unsupported(VIR_FROM_DOMAIN, "virDomainOpenChannel")
    }

    /// virDomainMigratePrepareTunnel (migration version 2, tunnelled): the destination gets
    /// ready for the guest, whose migration data the stream then carries.
    fn stream_migrate_prepare_tunnel(
        &self,
        _flags: u64,
        _dname: Option<String>,
        _resource: u64,
        _dom_xml: String,
    ) -> Result<StreamBody> {
        unsupported(VIR_FROM_DOMAIN, "virDomainMigratePrepareTunnel")
    }

    /// virDomainMigratePrepareTunnel3: as above, with the source's cookie; the answer carries
    /// the destination's.
    fn stream_migrate_prepare_tunnel3(
        &self,
        _cookie_in: Vec<u8>,
        _flags: u64,
        _dname: Option<String>,
        _resource: u64,
        _dom_xml: String,
    ) -> Result<super::TunnelPrepared> {
        unsupported(VIR_FROM_DOMAIN, "virDomainMigratePrepareTunnel3")
    }

    /// virDomainMigratePrepareTunnel3Params: as above, the arguments as typed parameters.
    fn stream_migrate_prepare_tunnel3_params(
        &self,
        _params: super::TypedParams,
        _cookie_in: Vec<u8>,
        _flags: u32,
    ) -> Result<super::TunnelPrepared> {
        unsupported(VIR_FROM_DOMAIN, "virDomainMigratePrepareTunnel3Params")
    }
}
