//! A definition's vCPUs one by one, as libvirt keeps them: which are online (`<vcpu current=N>`),
//! which may be plugged and unplugged while the guest runs, and in which order they came online
//! (`<vcpus><vcpu id= enabled= hotpluggable= order=/></vcpus>`, written once a definition has had
//! its vCPUs set one by one).

use crate::error::{
    Error, VIR_ERR_CONFIG_UNSUPPORTED, VIR_ERR_XML_ERROR, VIR_FROM_DOMAIN, VIR_FROM_XML,
};

/// One vCPU of the definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vcpu {
    pub online: bool,
    /// `hotpluggable='yes|no'`; None where libvirt leaves it unset (a vCPU added by raising the
    /// maximum).
    pub hotpluggable: Option<bool>,
    /// The place in which it came online (1 first), 0 when unknown.
    pub order: u32,
}

impl Vcpu {
    fn offline() -> Vcpu {
        Vcpu {
            online: false,
            hotpluggable: None,
            order: 0,
        }
    }
}

/// Every vCPU up to the maximum, and whether they are written one by one (libvirt's
/// `individualvcpus`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct VcpuStates {
    pub list: Vec<Vcpu>,
    pub individual: bool,
}

fn xml_error(info: impl AsRef<str>) -> Error {
    Error::with(VIR_ERR_XML_ERROR, VIR_FROM_DOMAIN, info)
}

/// An attribute's error as libvirt's XML helpers (virXMLProp*) report it.
fn attr_error(info: impl AsRef<str>) -> Error {
    Error::with(VIR_ERR_XML_ERROR, VIR_FROM_XML, info)
}

/// An unsigned attribute, with libvirt's error for one that is not.
fn uint_attr(n: roxmltree::Node, name: &str, required: bool) -> Result<Option<u32>, Error> {
    match n.attribute(name) {
        None if required => Err(attr_error(format!(
            "Missing required attribute '{name}' in element '{}'",
            n.tag_name().name()
        ))),
        None => Ok(None),
        Some(v) => v.trim().parse::<u32>().map(Some).map_err(|_| {
            attr_error(format!(
                "Invalid value for attribute '{name}' in element '{}': '{v}'. Expected non-negative integer value",
                n.tag_name().name()
            ))
        }),
    }
}

/// A yes/no attribute, with libvirt's error for anything else.
fn bool_attr(n: roxmltree::Node, name: &str, required: bool) -> Result<Option<bool>, Error> {
    match n.attribute(name) {
        None if required => Err(attr_error(format!(
            "Missing required attribute '{name}' in element '{}'",
            n.tag_name().name()
        ))),
        None => Ok(None),
        Some("yes") => Ok(Some(true)),
        Some("no") => Ok(Some(false)),
        Some(v) => Err(attr_error(format!(
            "Invalid value for attribute '{name}' in element '{}': '{v}'.",
            n.tag_name().name()
        ))),
    }
}

impl VcpuStates {
    /// `max` vCPUs, the first `online` of them online, hot-pluggable as libvirt's post-parse
    /// marks them (the online ones not, the others yes).
    pub fn new(max: u32, online: u32) -> VcpuStates {
        let mut s = VcpuStates {
            list: vec![Vcpu::offline(); max as usize],
            individual: false,
        };
        s.set_online(online);
        // Every vCPU's state is unset yet: nothing to refuse.
        let _ = s.fill_hotpluggable();
        s
    }

    /// From `<vcpu current=...>` (`vcpu`, its maximum already read as `max`) and `<vcpus>`, as
    /// written: [`post_parse`](Self::post_parse) completes them.
    pub fn parse(
        vcpu: Option<roxmltree::Node>,
        vcpus: Option<roxmltree::Node>,
        max: u32,
    ) -> Result<VcpuStates, Error> {
        let current = match vcpu {
            Some(v) => uint_attr(v, "current", false)?.unwrap_or(max),
            None => max,
        };
        let mut s = VcpuStates {
            list: vec![Vcpu::offline(); max as usize],
            individual: false,
        };
        let entries: Vec<roxmltree::Node> = vcpus
            .map(|v| {
                v.children()
                    .filter(|c| c.is_element() && c.tag_name().name() == "vcpu")
                    .collect()
            })
            .unwrap_or_default();
        if entries.is_empty() {
            if current > max {
                return Err(Error::with(
                    VIR_ERR_CONFIG_UNSUPPORTED,
                    VIR_FROM_DOMAIN,
                    "maximum vCPU count must not be less than current vCPU count",
                ));
            }
            s.set_online(current);
        } else {
            // Individual states, when given, are what counts.
            s.individual = true;
            for e in entries {
                s.parse_entry(e)?;
            }
        }
        Ok(s)
    }

    /// What libvirt's common post-parse does after the driver's own rules (see
    /// [`fill_hotpluggable`](Self::fill_hotpluggable)).
    pub fn post_parse(&mut self) -> Result<(), Error> {
        self.fill_hotpluggable()
    }

    fn parse_entry(&mut self, e: roxmltree::Node) -> Result<(), Error> {
        let id = uint_attr(e, "id", true)?.unwrap_or(0);
        if id as usize >= self.list.len() {
            return Err(xml_error(format!(
                "vcpu id '{id}' is out of range of maximum vcpu count"
            )));
        }
        let online = bool_attr(e, "enabled", true)?.unwrap_or(false);
        let hotpluggable = bool_attr(e, "hotpluggable", false)?;
        let order = uint_attr(e, "order", false)?.unwrap_or(0);
        self.list[id as usize] = Vcpu {
            online,
            hotpluggable,
            order,
        };
        Ok(())
    }

    /// libvirt's post-parse: an unset hot-pluggable state becomes "no" for an online vCPU and
    /// "yes" for an offline one; an offline vCPU that may not be plugged is refused.
    fn fill_hotpluggable(&mut self) -> Result<(), Error> {
        for (i, v) in self.list.iter_mut().enumerate() {
            match v.hotpluggable {
                None => v.hotpluggable = Some(!v.online),
                Some(false) if !v.online => {
                    return Err(Error::with(
                        VIR_ERR_CONFIG_UNSUPPORTED,
                        VIR_FROM_DOMAIN,
                        format!("vcpu '{i}' is both offline and not hotpluggable"),
                    ))
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// The first `n` vCPUs online, the others not (libvirt's virDomainDefSetVcpus).
    fn set_online(&mut self, n: u32) {
        for (i, v) in self.list.iter_mut().enumerate() {
            v.online = (i as u32) < n;
        }
    }

    /// How many are online.
    pub fn online(&self) -> u32 {
        self.list.iter().filter(|v| v.online).count() as u32
    }

    /// Whether the vCPU `i` is online.
    pub fn is_online(&self, i: usize) -> bool {
        self.list.get(i).is_some_and(|v| v.online)
    }

    /// A new maximum: vCPUs past it go, new ones come offline with no hot-pluggable state
    /// (libvirt's virDomainDefSetVcpusMax).
    pub fn set_max(&mut self, max: u32) {
        self.list.resize(max as usize, Vcpu::offline());
    }

    /// Forget the order vCPUs came online in (it may no longer hold).
    pub fn clear_order(&mut self) {
        self.list.iter_mut().for_each(|v| v.order = 0);
    }

    /// `<vcpu placement='static'[ current='N']>MAX</vcpu>`, then `<vcpus>` when they are kept one
    /// by one, indented by two spaces.
    pub fn write(&self, x: &mut String) {
        let max = self.list.len();
        let online = self.online() as usize;
        match online == max {
            true => x.push_str(&format!("  <vcpu placement='static'>{max}</vcpu>\n")),
            false => x.push_str(&format!(
                "  <vcpu placement='static' current='{online}'>{max}</vcpu>\n"
            )),
        }
        if !self.individual {
            return;
        }
        x.push_str("  <vcpus>\n");
        for (i, v) in self.list.iter().enumerate() {
            let enabled = if v.online { "yes" } else { "no" };
            x.push_str(&format!("    <vcpu id='{i}' enabled='{enabled}'"));
            if let Some(h) = v.hotpluggable {
                x.push_str(if h {
                    " hotpluggable='yes'"
                } else {
                    " hotpluggable='no'"
                });
            }
            if v.order != 0 {
                x.push_str(&format!(" order='{}'", v.order));
            }
            x.push_str("/>\n");
        }
        x.push_str("  </vcpus>\n");
    }
}

impl super::DomainDef {
    /// How many vCPUs are online (`current`): all of them when the states were never read.
    pub fn online_vcpus(&self) -> u32 {
        match self.vcpu_states.list.len() == self.vcpus as usize {
            true => self.vcpu_states.online(),
            false => self.vcpus,
        }
    }

    /// A new maximum, the vCPU states following it.
    pub fn set_max_vcpus(&mut self, max: u32) {
        self.vcpu_states.set_max(max);
        self.vcpus = max;
    }

    /// `<vcpu>` and `<vcpus>` as libvirt writes them.
    pub fn write_vcpus(&self, x: &mut String) {
        match self.vcpu_states.list.len() == self.vcpus as usize {
            true => self.vcpu_states.write(x),
            false => VcpuStates::new(self.vcpus, self.vcpus).write(x),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(xml: &str) -> Result<VcpuStates, Error> {
        let doc = roxmltree::Document::parse(xml).unwrap();
        let root = doc.root_element();
        let find = |name: &str| {
            root.children()
                .find(|c| c.is_element() && c.tag_name().name() == name)
        };
        let v = find("vcpu");
        let max = v.and_then(|v| v.text()).map_or(1, |t| t.parse().unwrap());
        let mut s = VcpuStates::parse(v, find("vcpus"), max)?;
        s.post_parse()?;
        Ok(s)
    }

    fn written(s: &VcpuStates) -> String {
        let mut x = String::new();
        s.write(&mut x);
        x
    }

    #[test]
    fn current_below_maximum_is_kept_and_written() {
        let s = parsed("<domain><vcpu current='1'>3</vcpu></domain>").unwrap();
        assert_eq!(s.online(), 1);
        assert_eq!(s.list[0].hotpluggable, Some(false));
        assert_eq!(s.list[2].hotpluggable, Some(true));
        assert_eq!(
            written(&s),
            "  <vcpu placement='static' current='1'>3</vcpu>\n"
        );
        let all = parsed("<domain><vcpu current='2'>2</vcpu></domain>").unwrap();
        assert_eq!(written(&all), "  <vcpu placement='static'>2</vcpu>\n");
    }

    #[test]
    fn individual_vcpus_are_read_back() {
        let text = "<domain><vcpu current='1'>2</vcpu><vcpus>\
            <vcpu id='0' enabled='yes' hotpluggable='no' order='1'/>\
            <vcpu id='1' enabled='yes' hotpluggable='yes' order='2'/></vcpus></domain>";
        let s = parsed(text).unwrap();
        assert_eq!(s.online(), 2);
        assert_eq!(
            written(&s),
            "  <vcpu placement='static'>2</vcpu>\n  <vcpus>\n    \
             <vcpu id='0' enabled='yes' hotpluggable='no' order='1'/>\n    \
             <vcpu id='1' enabled='yes' hotpluggable='yes' order='2'/>\n  </vcpus>\n"
        );
    }

    #[test]
    fn bad_counts_are_refused() {
        assert!(parsed("<domain><vcpu current='3'>2</vcpu></domain>").is_err());
        assert!(parsed(
            "<domain><vcpu>2</vcpu><vcpus><vcpu id='2' enabled='yes'/></vcpus></domain>"
        )
        .is_err());
        assert!(parsed("<domain><vcpu>2</vcpu><vcpus><vcpu id='1' enabled='no' hotpluggable='no'/></vcpus></domain>").is_err());
    }
}
