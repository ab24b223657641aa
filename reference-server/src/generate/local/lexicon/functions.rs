//! Plotted functions: the words that name them and how each is drawn (expression,
//! axes ranges and label).

/// A function the compiler knows how to plot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Function {
    Sine,
    Cosine,
    Parabola,
    Cubic,
    Exponential,
    Logarithm,
    Linear,
    Absolute,
}

impl Function {
    /// Python expression of `x`, the axes' ranges and a readable label.
    pub(crate) fn spec(self) -> FunctionSpec {
        match self {
            Function::Sine => FunctionSpec::new("np.sin(x)", [-7.0, 7.0, 1.0], [-1.5, 1.5, 0.5])
                .label("y = sin(x)"),
            Function::Cosine => FunctionSpec::new("np.cos(x)", [-7.0, 7.0, 1.0], [-1.5, 1.5, 0.5])
                .label("y = cos(x)"),
            Function::Parabola => {
                FunctionSpec::new("x ** 2", [-3.0, 3.0, 1.0], [-1.0, 9.0, 1.0]).label("y = x²")
            }
            Function::Cubic => {
                FunctionSpec::new("x ** 3", [-2.2, 2.2, 1.0], [-10.0, 10.0, 2.0]).label("y = x³")
            }
            Function::Exponential => {
                FunctionSpec::new("np.exp(x)", [-3.0, 2.4, 1.0], [-1.0, 11.0, 2.0]).label("y = eˣ")
            }
            Function::Logarithm => {
                FunctionSpec::new("np.log(x)", [0.0, 10.0, 1.0], [-3.0, 3.0, 1.0])
                    .label("y = ln(x)")
                    .plot_from(0.05)
            }
            Function::Linear => {
                FunctionSpec::new("x", [-5.0, 5.0, 1.0], [-5.0, 5.0, 1.0]).label("y = x")
            }
            Function::Absolute => {
                FunctionSpec::new("np.abs(x)", [-4.0, 4.0, 1.0], [-1.0, 5.0, 1.0]).label("y = |x|")
            }
        }
    }
}

/// How to draw one function: expression, axes ranges and label.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FunctionSpec {
    pub(crate) expression: &'static str,
    pub(crate) x_range: [f64; 3],
    pub(crate) y_range: [f64; 3],
    pub(crate) label: &'static str,
    pub(crate) plot_start: Option<f64>,
}

impl FunctionSpec {
    fn new(expression: &'static str, x_range: [f64; 3], y_range: [f64; 3]) -> Self {
        Self {
            expression,
            x_range,
            y_range,
            label: "",
            plot_start: None,
        }
    }

    fn label(mut self, label: &'static str) -> Self {
        self.label = label;
        self
    }

    fn plot_from(mut self, start: f64) -> Self {
        self.plot_start = Some(start);
        self
    }
}

/// Recognises a word naming a plotted function.
pub(crate) fn function_word(word: &str) -> Option<Function> {
    Some(match word {
        "sine" | "sin" | "sinusoid" | "sinusoidal" => Function::Sine,
        "cosine" | "cos" => Function::Cosine,
        "parabola" | "quadratic" | "parabolic" => Function::Parabola,
        "cubic" => Function::Cubic,
        "exponential" | "exp" => Function::Exponential,
        "logarithm" | "logarithmic" | "log" | "ln" => Function::Logarithm,
        "linear" => Function::Linear,
        "absolute" => Function::Absolute,
        _ => return None,
    })
}

/// Nouns that turn a function word into a plot ("sine wave", "parabola graph").
pub(crate) fn is_plot_noun(word: &str) -> bool {
    matches!(
        word,
        "wave" | "waves" | "graph" | "graphs" | "plot" | "plots" | "function" | "curve"
    )
}
