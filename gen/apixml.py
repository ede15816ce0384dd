"""Reads libvirt-api.xml (Debian's libvirt-dev) into plain Python data for the generators."""
import os
import xml.etree.ElementTree as ET

DEFAULT_API_XML = "/usr/share/libvirt/api/libvirt-api.xml"


def api_xml_path():
    return os.environ.get("LIBVIRT_API_XML", DEFAULT_API_XML)


class Api:
    def __init__(self, path=None):
        root = ET.parse(path or api_xml_path()).getroot()
        sym = root.find("symbols")
        self.functions = sym.findall("function")
        self.functypes = sym.findall("functype")
        self.enums = sym.findall("enum")
        self.structs = sym.findall("struct")
        self.typedefs = sym.findall("typedef")
        self.macros = sym.findall("macro")
        self.variables = sym.findall("variable")

    @staticmethod
    def args(fn):
        return [(a.get("name"), a.get("type")) for a in fn.findall("arg")]

    @staticmethod
    def ret(fn):
        return fn.find("return").get("type")
