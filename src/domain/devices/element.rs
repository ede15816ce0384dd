//! A generic XML element kept from the domain definition: what we act on is read from it by the
//! device families, and it is written back as given, so nothing the caller wrote is dropped.

use crate::domain::xml::esc;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    /// The element's own text (trimmed), for elements such as `<backend>` or `<entry>`.
    pub text: String,
    /// Attributes written in double quotes: what libvirt copies as libxml2 writes it (the
    /// children of `<metadata>`).
    pub dquote: bool,
}

impl Element {
    pub fn new(name: &str) -> Element {
        Element {
            name: name.to_string(),
            ..Element::default()
        }
    }

    /// The element and everything below it, from the parsed document. Names in a namespace
    /// keep their prefix, and the element that declares a namespace keeps the declaration.
    pub fn from_node(n: roxmltree::Node) -> Element {
        let qualified = |ns: Option<&str>, local: &str| match ns.and_then(|u| n.lookup_prefix(u)) {
            Some(p) if !p.is_empty() => format!("{p}:{local}"),
            _ => local.to_string(),
        };
        let inherited: Vec<(Option<&str>, &str)> = n
            .parent_element()
            .map(|p| p.namespaces().map(|ns| (ns.name(), ns.uri())).collect())
            .unwrap_or_default();
        let declared = n
            .namespaces()
            .filter(|ns| !inherited.contains(&(ns.name(), ns.uri())))
            .map(|ns| match ns.name() {
                Some(p) => (format!("xmlns:{p}"), ns.uri().to_string()),
                None => ("xmlns".to_string(), ns.uri().to_string()),
            });
        Element {
            name: qualified(n.tag_name().namespace(), n.tag_name().name()),
            attrs: declared
                .chain(
                    n.attributes()
                        .map(|a| (qualified(a.namespace(), a.name()), a.value().to_string())),
                )
                .collect(),
            children: n
                .children()
                .filter(|c| c.is_element())
                .map(Element::from_node)
                .collect(),
            text: n
                .children()
                .filter(|c| c.is_text())
                .filter_map(|c| c.text())
                .collect::<String>()
                .trim()
                .to_string(),
            dquote: false,
        }
    }

    /// This element and everything below it written with double quotes.
    pub fn double_quoted(mut self) -> Element {
        self.dquote = true;
        self.children = self
            .children
            .into_iter()
            .map(Element::double_quoted)
            .collect();
        self
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn set_attr(&mut self, name: &str, value: &str) {
        match self.attrs.iter_mut().find(|(k, _)| k == name) {
            Some((_, v)) => *v = value.to_string(),
            None => self.attrs.push((name.to_string(), value.to_string())),
        }
    }

    pub fn with_attr(mut self, name: &str, value: &str) -> Element {
        self.set_attr(name, value);
        self
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn child_mut(&mut self, name: &str) -> Option<&mut Element> {
        self.children.iter_mut().find(|c| c.name == name)
    }

    /// The child named `name`, added at the end when there is none.
    pub fn ensure_child(&mut self, name: &str) -> &mut Element {
        if let Some(i) = self.children.iter().position(|c| c.name == name) {
            return &mut self.children[i];
        }
        self.children.push(Element::new(name));
        self.children.last_mut().expect("just pushed")
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// An attribute of a child: `<source path=...>` is `child_attr("source", "path")`.
    pub fn child_attr(&self, child: &str, attr: &str) -> Option<&str> {
        self.child(child).and_then(|c| c.attr(attr))
    }

    /// libvirt's boolean attributes: `yes`/`on` are true.
    pub fn flag(&self, name: &str) -> Option<bool> {
        self.attr(name).map(|v| v == "yes" || v == "on")
    }

    /// The element as XML, indented by `indent` spaces, one element per line.
    pub fn write(&self, out: &mut String, indent: usize) {
        let pad = " ".repeat(indent);
        out.push_str(&pad);
        out.push('<');
        out.push_str(&self.name);
        for (k, v) in &self.attrs {
            if self.dquote {
                out.push_str(&format!(" {k}=\"{}\"", esc(v).replace('"', "&quot;")));
            } else {
                out.push_str(&format!(" {k}='{}'", esc(v)));
            }
        }
        if self.children.is_empty() && self.text.is_empty() {
            out.push_str("/>\n");
        } else if self.children.is_empty() {
            out.push_str(&format!(">{}</{}>\n", esc(&self.text), self.name));
        } else {
            out.push_str(">\n");
            for c in &self.children {
                c.write(out, indent + 2);
            }
            out.push_str(&format!("{pad}</{}>\n", self.name));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Element;

    #[test]
    fn kept_and_written_back() {
        let doc = roxmltree::Document::parse(
            "<rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>",
        )
        .unwrap();
        let e = Element::from_node(doc.root_element());
        assert_eq!(e.child("backend").unwrap().text, "/dev/urandom");
        let mut s = String::new();
        e.write(&mut s, 0);
        assert_eq!(
            s,
            "<rng model='virtio'>\n  <backend model='random'>/dev/urandom</backend>\n</rng>\n"
        );
    }
}
