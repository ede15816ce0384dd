//! The JSON objects qemu takes for `-device`, `-object`, `-netdev`, `-blockdev` and `-audiodev`,
//! with the keys in the order the reference writes them (so the command lines read alike).

use serde_json::Value;

#[derive(Default)]
pub struct Obj(Vec<(String, Value)>);

impl Obj {
    pub fn new() -> Obj {
        Obj::default()
    }

    /// A `-device` object of this driver.
    pub fn device(driver: &str) -> Obj {
        Obj::new().s("driver", driver)
    }

    pub fn s(mut self, k: &str, v: &str) -> Obj {
        self.0.push((k.to_string(), Value::String(v.to_string())));
        self
    }

    pub fn n(mut self, k: &str, v: u64) -> Obj {
        self.0.push((k.to_string(), Value::from(v)));
        self
    }

    pub fn b(mut self, k: &str, v: bool) -> Obj {
        self.0.push((k.to_string(), Value::Bool(v)));
        self
    }

    pub fn null(mut self, k: &str) -> Obj {
        self.0.push((k.to_string(), Value::Null));
        self
    }

    /// `"id"` when there is one (a device without an alias has none).
    pub fn id(self, alias: Option<&str>) -> Obj {
        match alias {
            Some(a) => self.s("id", a),
            None => self,
        }
    }

    pub fn text(&self) -> String {
        let fields: Vec<String> = self
            .0
            .iter()
            .map(|(k, v)| format!("{}:{}", Value::String(k.clone()), v))
            .collect();
        format!("{{{}}}", fields.join(","))
    }
}

/// The arguments a family adds to the command line.
#[derive(Default)]
pub struct Args(pub Vec<String>);

impl Args {
    pub fn opt(&mut self, flag: &str, value: impl Into<String>) {
        self.0.push(flag.to_string());
        self.0.push(value.into());
    }

    pub fn flag(&mut self, flag: &str) {
        self.0.push(flag.to_string());
    }

    pub fn device(&mut self, o: Obj) {
        self.opt("-device", o.text());
    }

    pub fn object(&mut self, o: Obj) {
        self.opt("-object", o.text());
    }
}

/// A value inside qemu's `key=value,...` option syntax: commas doubled.
pub fn optval(s: &str) -> String {
    s.replace(',', ",,")
}
