//! The public C API on test:///default driven by arbitrary call sequences and arguments (NULL,
//! stale and forged handles, bad flags, bad XML): nothing may crash or panic across the boundary.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::ffi::CString;
use std::ptr;
use virt::ffi::generated::exports as api;
use virt::ffi::generated::types::{virConnectPtr, virDomainPtr};

fuzz_target!(|data: &[u8]| {
    // SAFETY: every call passes handles from earlier calls (or NULL, stale, forged ones, which the
    // library must detect) and pointers to live local buffers.
    unsafe {
        let uri = CString::new("test:///default").unwrap();
        let conn: virConnectPtr = api::virConnectOpen(uri.as_ptr());
        let mut doms: Vec<virDomainPtr> = vec![ptr::null_mut(), 0x1234 as virDomainPtr];
        let mut bytes = data.iter().copied();
        while let (Some(op), Some(arg)) = (bytes.next(), bytes.next()) {
            let d = doms[arg as usize % doms.len()];
            let flags = if arg & 0x80 != 0 { 1u32 << (arg % 32) } else { 0 };
            match op % 14 {
                0 => {
                    let xml = CString::new(format!(
                        "<domain type='test'><name>f{}</name><memory>{}</memory><os><type>hvm</type></os></domain>",
                        arg % 8,
                        arg as u32 * 1024
                    ))
                    .unwrap();
                    let nd = api::virDomainCreateXML(conn, xml.as_ptr(), flags);
                    doms.push(nd);
                }
                1 => {
                    let _ = api::virDomainDestroyFlags(d, flags);
                }
                2 => {
                    let _ = api::virDomainSuspend(d);
                }
                3 => {
                    let _ = api::virDomainResume(d);
                }
                4 => {
                    let _ = api::virDomainShutdown(d);
                }
                5 => {
                    let (mut s, mut r) = (0, 0);
                    let _ = api::virDomainGetState(d, &mut s, &mut r, flags);
                }
                6 => {
                    let _ = api::virDomainFree(d);
                }
                7 => {
                    let name = CString::new(format!("f{}", arg % 8)).unwrap();
                    doms.push(api::virDomainLookupByName(conn, name.as_ptr()));
                }
                8 => {
                    let junk = String::from_utf8_lossy(data).replace('\0', "");
                    let xml = CString::new(junk).unwrap();
                    doms.push(api::virDomainDefineXML(conn, xml.as_ptr()));
                }
                9 => {
                    let _ = api::virDomainUndefineFlags(d, flags);
                }
                10 => {
                    let _ = api::virDomainCreate(d);
                }
                11 => {
                    let mut list: *mut virDomainPtr = ptr::null_mut();
                    let n = api::virConnectListAllDomains(conn, &mut list, flags);
                    for i in 0..n.max(0) as usize {
                        api::virDomainFree(*list.add(i));
                    }
                    libc_free(list.cast());
                }
                12 => {
                    let x = api::virDomainGetXMLDesc(d, flags);
                    libc_free(x.cast());
                }
                _ => {
                    let _ = api::virDomainGetID(d);
                    let _ = api::virDomainGetName(d);
                }
            }
        }
        for d in doms {
            api::virDomainFree(d);
        }
        api::virConnectClose(conn);
    }
});

extern "C" {
    #[link_name = "free"]
    fn libc_free(p: *mut std::ffi::c_void);
}
