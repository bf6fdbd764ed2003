//! The `number` family.

use super::*;

#[derive(Debug, Clone)]
pub(super) struct NumberRule {
    pub(super) convert: bool,
    pub(super) min: Option<NumParam>,
    pub(super) max: Option<NumParam>,
    pub(super) equal: Option<NumParam>,
    pub(super) not_equal: Option<NumParam>,
    pub(super) integer: bool,
    pub(super) positive: bool,
    pub(super) negative: bool,
}

pub(super) fn run_number(
    n: &NumberRule,
    v: &mut Value,
    errors: &mut Vec<Pending>,
    err: ErrFn,
) -> Ret {
    let orig = v.clone();
    let mut ret = Ret::Same;
    let f = if let Value::Number(x) = &*v {
        x.as_f64().unwrap_or(f64::NAN)
    } else if n.convert {
        let f = js::to_number(v);
        *v = js::number_to_json(f);
        ret = Ret::New;
        f
    } else {
        err(errors, "number", None, Some(orig));
        return ret;
    };
    if !f.is_finite() {
        err(errors, "number", None, Some(orig));
        return ret;
    }
    if let Some(p) = &n.min {
        if f < p.num {
            err(errors, "numberMin", Some(p.exp.clone()), Some(orig.clone()));
        }
    }
    if let Some(p) = &n.max {
        if f > p.num {
            err(errors, "numberMax", Some(p.exp.clone()), Some(orig.clone()));
        }
    }
    if let Some(p) = &n.equal {
        if p.is_bool || f != p.num {
            err(
                errors,
                "numberEqual",
                Some(p.exp.clone()),
                Some(orig.clone()),
            );
        }
    }
    if let Some(p) = &n.not_equal {
        if !p.is_bool && f == p.num {
            err(
                errors,
                "numberNotEqual",
                Some(p.exp.clone()),
                Some(orig.clone()),
            );
        }
    }
    if n.integer && f.fract() != 0.0 {
        err(errors, "numberInteger", None, Some(orig.clone()));
    }
    if n.positive && f <= 0.0 {
        err(errors, "numberPositive", None, Some(orig.clone()));
    }
    if n.negative && f >= 0.0 {
        err(errors, "numberNegative", None, Some(orig));
    }
    ret
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::schema::validator::test_support::*;
    use serde_json::json;

    #[test]
    fn numbers() {
        expect_errors(
            &single("number|integer|positive"),
            json!({"f": -1.5}),
            r#"[{"type":"numberInteger","message":"The 'f' field must be an integer.","field":"f","actual":-1.5},
                {"type":"numberPositive","message":"The 'f' field must be a positive number.","field":"f","actual":-1.5}]"#,
        );
        assert_eq!(
            kinds(&single("number|integer|positive"), json!({"f": "3"})),
            vec!["number"]
        );
        expect_valid(
            &single("number|convert:true|integer"),
            json!({"f": " 3 "}),
            json!({"f": 3}),
        );
        expect_valid(
            &single("number|convert:true"),
            json!({"f": "1e3"}),
            json!({"f": 1000}),
        );
        expect_valid(
            &single("number|convert:true"),
            json!({"f": true}),
            json!({"f": 1}),
        );
        let (e, d) = run_v(&single("number|convert:true"), json!({"f": "abc"}));
        assert_eq!(
            e,
            json!([{"type":"number","message":"The 'f' field must be a number.","field":"f","actual":"abc"}])
        );
        assert_eq!(d, json!({"f": null}));
        expect_errors(
            &single("number|max:10|negative"),
            json!({"f": 11}),
            r#"[{"type":"numberMax","message":"The 'f' field must be less than or equal to 10.","field":"f","expected":10,"actual":11},
                {"type":"numberNegative","message":"The 'f' field must be a negative number.","field":"f","actual":11}]"#,
        );
        expect_errors(
            &single("number|equal:0.5"),
            json!({"f": 1}),
            r#"[{"type":"numberEqual","message":"The 'f' field must be equal to 0.5.","field":"f","expected":0.5,"actual":1}]"#,
        );
        expect_errors(
            &single("number|notEqual:3"),
            json!({"f": 3}),
            r#"[{"type":"numberNotEqual","message":"The 'f' field can't be equal to 3.","field":"f","expected":3,"actual":3}]"#,
        );
        assert_eq!(
            messages(&single("number|min:1e21"), json!({"f": 1})),
            vec!["The 'f' field must be greater than or equal to 1e+21."]
        );
        assert_eq!(
            kinds(&single("number|min:Infinity"), json!({"f": 1})),
            vec!["numberMin"]
        );
        let (e, _) = run_v(&single("number|min:Infinity"), json!({"f": 1}));
        assert_eq!(e[0]["expected"], Value::Null);
        assert_eq!(
            e[0]["message"],
            json!("The 'f' field must be greater than or equal to Infinity.")
        );
        assert_eq!(
            kinds(&single("number|optional"), json!({"f": null})),
            Vec::<String>::new()
        );
    }
}
