//! Reading the test driver's object XML (networks, interfaces, pools): the element children of a
//! node by name, and attributes as owned text.

use roxmltree::Node;

/// The first element child named `name`.
pub(super) fn child<'a, 'i>(n: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    n.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

/// Every element child named `name`, in document order.
pub(super) fn children<'a, 'i: 'a>(
    n: Node<'a, 'i>,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    n.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

/// An attribute's value, owned.
pub(super) fn attr(n: Node, name: &str) -> Option<String> {
    n.attribute(name).map(str::to_string)
}
