//! The live status file of a running domain, `run/qemu/<name>.xml`: enough for another process on
//! the same root (or this one after a restart) to find the guest again and prove it is the same
//! process (pid and start time), plus the definition it runs.

use crate::domain::StateReason;
use crate::domain::{self, DomainDef};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub pid: i32,
    pub start_time: u64,
    pub id: i32,
    pub state: StateReason,
    pub persistent: bool,
    pub autodestroy: bool,
    pub monitor: String,
    pub def: DomainDef,
}

pub fn format(s: &Status) -> String {
    format!(
        "<domstatus state='{}' reason='{}' pid='{}' starttime='{}' id='{}' persistent='{}' autodestroy='{}'>\n  <monitor path='{}'/>\n{}</domstatus>\n",
        s.state.codes().0,
        s.state.codes().1,
        s.pid,
        s.start_time,
        s.id,
        s.persistent as u8,
        s.autodestroy as u8,
        domain::xml::esc(&s.monitor),
        domain::devices::format_full(&s.def, Some(s.id))
    )
}

pub fn parse(text: &str) -> Option<Status> {
    let doc = roxmltree::Document::parse(text).ok()?;
    let root = doc.root_element();
    if !root.has_tag_name("domstatus") {
        return None;
    }
    let num = |k: &str| root.attribute(k).and_then(|v| v.parse::<i64>().ok());
    let monitor = root
        .children()
        .find(|n| n.has_tag_name("monitor"))?
        .attribute("path")?
        .to_string();
    let dom = root.children().find(|n| n.has_tag_name("domain"))?;
    let def = domain::xml::parse(&text[dom.range()]).ok()?;
    Some(Status {
        pid: num("pid")? as i32,
        start_time: num("starttime")? as u64,
        id: num("id")? as i32,
        state: StateReason::from_codes(num("state")? as i32, num("reason")? as i32)?,
        persistent: num("persistent")? != 0,
        autodestroy: num("autodestroy").unwrap_or(0) != 0,
        monitor,
        def,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trip() {
        let def = crate::domain::xml::parse(
            "<domain type='qemu'><name>g</name><memory unit='MiB'>64</memory><os><type>hvm</type></os></domain>",
        )
        .unwrap();
        let s = super::Status {
            pid: 42,
            start_time: 12345,
            id: 3,
            state: crate::domain::StateReason::Running(crate::api::DomainRunningReason::Booted),
            persistent: false,
            autodestroy: true,
            monitor: "/r/lib/qemu/domain-3-g/monitor.sock".into(),
            def,
        };
        assert_eq!(super::parse(&super::format(&s)), Some(s));
    }
}
