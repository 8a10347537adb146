#include "app/math_text.h"

#include <QHash>
#include <QList>
#include <QStringList>
#include <algorithm>
#include <iterator>

#include "app/markdown_scan.h"

namespace mathtext {

namespace {

// TeX's atom classes, as far as spacing goes: a binary operator and a relation take space on
// both sides, a function or large operator a thin space before an ordinary atom, punctuation a
// space after. Space atoms (\, \quad) are transparent.
enum class Cls { None, Ord, Op, Bin, Rel, Open, Close, Punct, Inner, Space };

struct Sym {
  QString text;
  Cls cls;
  bool italic = false;
};

// The commands that are one symbol, by class: "name symbol" pairs, separated by spaces.
// clang-format off
const char16_t* const kLowerGreek =  // italic, as TeX sets lower-case Greek
    u"alpha α beta β gamma γ delta δ epsilon ϵ varepsilon ε zeta ζ eta η theta θ vartheta ϑ "
    u"iota ι kappa κ varkappa ϰ lambda λ mu μ nu ν xi ξ pi π varpi ϖ rho ρ varrho ϱ sigma σ "
    u"varsigma ς tau τ upsilon υ phi ϕ varphi φ chi χ psi ψ omega ω";
const char16_t* const kOrdinary =
    u"Gamma Γ Delta Δ Theta Θ Lambda Λ Xi Ξ Pi Π Sigma Σ Upsilon Υ Phi Φ Psi Ψ Omega Ω "
    u"infty ∞ partial ∂ nabla ∇ forall ∀ exists ∃ nexists ∄ emptyset ∅ varnothing ∅ neg ¬ lnot ¬ "
    u"angle ∠ triangle △ hbar ℏ ell ℓ Re ℜ Im ℑ aleph ℵ wp ℘ prime ′ degree ° ldots … dots … "
    u"dotsc … cdots ⋯ dotsb ⋯ vdots ⋮ ddots ⋱ top ⊤ bot ⊥ checkmark ✓ surd √ backslash \\ "
    u"| ‖ Vert ‖ vert | clubsuit ♣ diamondsuit ♢ heartsuit ♡ spadesuit ♠ imath ı jmath ȷ "
    u"% % $ $ # # & & _ _ circledR ® S §";
const char16_t* const kBinary =
    u"times × cdot · cdotp · div ÷ pm ± mp ∓ ast ∗ star ⋆ circ ∘ bullet ∙ cap ∩ cup ∪ "
    u"setminus ∖ wedge ∧ land ∧ vee ∨ lor ∨ oplus ⊕ ominus ⊖ otimes ⊗ odot ⊙ oslash ⊘ sqcup ⊔ "
    u"sqcap ⊓ uplus ⊎ amalg ⨿ dagger † ddagger ‡ wr ≀ bmod mod diamond ⋄ bigtriangleup △";
const char16_t* const kRelation =
    u"leq ≤ le ≤ geq ≥ ge ≥ neq ≠ ne ≠ approx ≈ equiv ≡ sim ∼ simeq ≃ cong ≅ propto ∝ ll ≪ gg ≫ "
    u"leqslant ⩽ geqslant ⩾ prec ≺ succ ≻ preceq ⪯ succeq ⪰ in ∈ notin ∉ ni ∋ subset ⊂ "
    u"supset ⊃ subseteq ⊆ supseteq ⊇ subsetneq ⊊ supsetneq ⊋ sqsubseteq ⊑ to → rightarrow → "
    u"leftarrow ← gets ← Rightarrow ⇒ Leftarrow ⇐ leftrightarrow ↔ Leftrightarrow ⇔ iff ⟺ "
    u"implies ⟹ impliedby ⟸ mapsto ↦ longrightarrow ⟶ longleftarrow ⟵ Longrightarrow ⟹ "
    u"Longleftarrow ⟸ longmapsto ⟼ uparrow ↑ downarrow ↓ Uparrow ⇑ Downarrow ⇓ nearrow ↗ "
    u"searrow ↘ hookrightarrow ↪ rightleftharpoons ⇌ perp ⊥ parallel ∥ mid ∣ nmid ∤ vdash ⊢ "
    u"dashv ⊣ models ⊨ asymp ≍ doteq ≐ triangleq ≜ coloneqq ≔ coloneq ≔ lesssim ≲ gtrsim ≳ "
    u"nleq ≰ ngeq ≱ nsim ≁ ncong ≇ therefore ∴ because ∵ lt < gt >";
const char16_t* const kLargeOperator =
    u"sum ∑ prod ∏ coprod ∐ int ∫ iint ∬ iiint ∭ oint ∮ bigcup ⋃ bigcap ⋂ bigoplus ⨁ "
    u"bigotimes ⨂ bigvee ⋁ bigwedge ⋀ bigsqcup ⨆ biguplus ⨄ bigodot ⨀";
const char16_t* const kOpening = u"langle ⟨ lfloor ⌊ lceil ⌈ lbrace { { { lvert | lVert ‖ lbrack [";
const char16_t* const kClosing = u"rangle ⟩ rfloor ⌋ rceil ⌉ rbrace } } } rvert | rVert ‖ rbrack ]";
// clang-format on

const QHash<QString, Sym>& symbols() {
  static const QHash<QString, Sym> table = [] {
    QHash<QString, Sym> t;
    const struct {
      const char16_t* pairs;
      Cls cls;
      bool italic;
    } groups[] = {{kLowerGreek, Cls::Ord, true},    {kOrdinary, Cls::Ord, false},
                  {kBinary, Cls::Bin, false},       {kRelation, Cls::Rel, false},
                  {kLargeOperator, Cls::Op, false}, {kOpening, Cls::Open, false},
                  {kClosing, Cls::Close, false}};
    for (const auto& g : groups) {
      const QStringList words = QString::fromUtf16(g.pairs).split(QLatin1Char(' '), Qt::SkipEmptyParts);
      for (qsizetype k = 0; k + 1 < words.size(); k += 2)
        t.insert(words[k], Sym{words[k + 1], g.cls, g.italic});
    }
    // Spacing (some of it is a space, or nothing).
    const QString thin(QChar(0x2009)), medium(QChar(0x2005)), thick(QChar(0x2004)), em(QChar(0x2003));
    for (const auto& [name, text] : {std::pair{",", thin},
                                     {":", medium},
                                     {">", medium},
                                     {";", thick},
                                     {"!", QString()},
                                     {" ", QStringLiteral(" ")},
                                     {"quad", em},
                                     {"qquad", em + em},
                                     {"thinspace", thin},
                                     {"enspace", QString(QChar(0x2002))},
                                     {"medspace", medium},
                                     {"thickspace", thick},
                                     {"negthinspace", QString()}})
      t.insert(QString::fromLatin1(name), Sym{text, Cls::Space});
    return t;
  }();
  return table;
}

// Named functions, set upright ("sin x").
bool is_function(const QString& name) {
  static const QStringList names = {
      QStringLiteral("sin"),    QStringLiteral("cos"),    QStringLiteral("tan"),    QStringLiteral("cot"),
      QStringLiteral("sec"),    QStringLiteral("csc"),    QStringLiteral("arcsin"), QStringLiteral("arccos"),
      QStringLiteral("arctan"), QStringLiteral("sinh"),   QStringLiteral("cosh"),   QStringLiteral("tanh"),
      QStringLiteral("coth"),   QStringLiteral("log"),    QStringLiteral("ln"),     QStringLiteral("lg"),
      QStringLiteral("exp"),    QStringLiteral("lim"),    QStringLiteral("limsup"), QStringLiteral("liminf"),
      QStringLiteral("max"),    QStringLiteral("min"),    QStringLiteral("sup"),    QStringLiteral("inf"),
      QStringLiteral("det"),    QStringLiteral("gcd"),    QStringLiteral("arg"),    QStringLiteral("deg"),
      QStringLiteral("dim"),    QStringLiteral("ker"),    QStringLiteral("hom"),    QStringLiteral("Pr"),
      QStringLiteral("argmax"), QStringLiteral("argmin"), QStringLiteral("sgn"),    QStringLiteral("tr"),
      QStringLiteral("lcm"),    QStringLiteral("rank"),   QStringLiteral("diag"),   QStringLiteral("Var"),
      QStringLiteral("Cov"),    QStringLiteral("erf")};
  return names.contains(name);
}

// Unicode's superscript and subscript forms (those a formula's small scripts use when they sit
// inside a script already, where the document's formats cannot nest).
QChar script_form(QChar c, bool super) {
  auto table = [](const char16_t* from, const char16_t* to) {
    QHash<char16_t, char16_t> m;
    for (int k = 0; from[k] && to[k]; ++k) m.insert(from[k], to[k]);
    return m;
  };
  static const QHash<char16_t, char16_t> sup =
      table(u"0123456789+-\u2212=()abcdefghijklmnoprstuvwxyzTAB\u2032",
            u"⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᵀᴬᴮ\u2032");
  static const QHash<char16_t, char16_t> sub =
      table(u"0123456789+-\u2212=()aehijklmnoprstuvx", u"₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ");
  return QChar((super ? sup : sub).value(c.unicode(), 0));
}

// Letters in another alphabet (\mathbb, \mathcal, \mathfrak): those the Letterlike Symbols
// block has (ℝ, ℒ, ℌ), which every text font with mathematical symbols covers. The others are
// left plain (\mathbb's in bold, as printed text writes them), not taken from the
// Mathematical Alphanumeric Symbols block, which few fonts have (a box for "𝒪" is worse than O).
QString alphabet(const QString& text, const QString& font) {
  static const QHash<QString, QString> letterlike = {
      {QStringLiteral("mathbb"), QStringLiteral("CℂHℍNℕPℙQℚRℝZℤ")},
      {QStringLiteral("mathcal"), QStringLiteral("BℬEℰFℱHℋIℐLℒMℳRℛeℯgℊoℴ")},
      {QStringLiteral("mathscr"), QStringLiteral("BℬEℰFℱHℋIℐLℒMℳRℛeℯgℊoℴ")},
      {QStringLiteral("mathfrak"), QStringLiteral("CℭHℌIℑRℜZℨ")}};
  const QString pairs = letterlike.value(font);
  const bool bold = font == QLatin1String("mathbb");
  QString out;
  bool bold_open = false;
  for (const QChar c : text) {
    qsizetype at = -1;
    for (qsizetype k = 0; k + 1 < pairs.size(); k += 2)
      if (pairs[k] == c) at = k;
    const bool plain = at < 0;
    if (bold && plain != bold_open) {
      out += plain ? QChar(kBold) : QChar(kEnd);
      bold_open = plain;
    }
    out += plain ? c : pairs[at + 1];
  }
  if (bold_open) out += QChar(kEnd);
  return out;
}

// A combining mark after each character of `text` (`each`) or after its last one, marks kept.
QString accent(const QString& text, char16_t mark, bool each) {
  QString out;
  qsizetype last = -1;
  for (qsizetype k = 0; k < text.size(); ++k)
    if (!isMark(text[k]) && !text[k].isSpace() && !text[k].isLowSurrogate()) last = k;
  for (qsizetype k = 0; k < text.size(); ++k) {
    out += text[k];
    const bool base = !isMark(text[k]) && !text[k].isSpace() && !text[k].isHighSurrogate();
    if (base && (each || k == last || (k == last + 1 && text[k].isLowSurrogate()))) out += QChar(mark);
  }
  if (last < 0) out += QChar(mark);  // \hat{} alone: the mark by itself
  return out;
}

struct Atom {
  QString text;  // the nucleus, marks allowed
  Cls cls = Cls::Ord;
  bool italic = false;     // `text` is a letter to set in italic (no marks in it)
  bool fraction = false;   // "a/b": in parentheses when it multiplies something or carries a script
  bool row_break = false;  // "\\" outside an environment
  QString sup, sub;        // rendered scripts, marks allowed
  bool has_sup = false, has_sub = false;
};

enum class Stop { End, Brace, Cell, Row, EnvEnd };
enum class EnvKind { None, Rows, Cells };

constexpr int kMaxDepth = 40;

class Renderer {
 public:
  Renderer(QStringView tex, bool display) : s_(tex), display_(display) {}

  QString all() {
    Stop stop = Stop::End;
    return join(list(0, EnvKind::None, false, &stop));
  }

 private:
  bool at_end() const { return i_ >= s_.size(); }
  QChar peek() const { return i_ < s_.size() ? s_[i_] : QChar(); }
  void skip_space() {
    while (!at_end() && s_[i_].isSpace()) ++i_;
  }

  // A command's name after its backslash: letters, or one other character.
  QString command_name() {
    const qsizetype from = i_;
    while (!at_end() && s_[i_].isLetter() && s_[i_].unicode() < 128) ++i_;
    if (i_ == from && !at_end()) ++i_;
    return s_.mid(from, i_ - from).toString();
  }

  // A braced argument's raw text ({...}, balanced), or the next character; "" at the end.
  QString raw_arg() {
    skip_space();
    if (at_end()) return {};
    if (s_[i_] != QLatin1Char('{')) {
      if (s_[i_] == QLatin1Char('\\')) {
        ++i_;
        return QLatin1Char('\\') + command_name();
      }
      return QString(s_[i_++]);
    }
    int level = 0;
    const qsizetype from = i_ + 1;
    for (; i_ < s_.size(); ++i_) {
      if (s_[i_] == QLatin1Char('\\')) {
        ++i_;
        continue;
      }
      if (s_[i_] == QLatin1Char('{')) ++level;
      if (s_[i_] == QLatin1Char('}') && --level == 0) {
        ++i_;
        return s_.mid(from, i_ - 1 - from).toString();
      }
    }
    return s_.mid(from).toString();  // unclosed: to the end
  }

  // An optional [argument] (\sqrt[3]), raw.
  QString optional_arg() {
    skip_space();
    if (peek() != QLatin1Char('[')) return {};
    const qsizetype close = s_.indexOf(QLatin1Char(']'), i_);
    if (close < 0) return {};
    const QString arg = s_.mid(i_ + 1, close - i_ - 1).toString();
    i_ = close + 1;
    return arg;
  }

  // The next argument, rendered: a {group}, a command (with its own arguments) or one character.
  QList<Atom> arg(int depth) {
    skip_space();
    if (at_end()) return {};
    Stop stop = Stop::End;
    if (s_[i_] == QLatin1Char('{')) {
      ++i_;
      QList<Atom> atoms = list(depth + 1, EnvKind::None, true, &stop);
      if (stop == Stop::Brace) ++i_;
      return atoms;
    }
    QList<Atom> atoms;
    if (s_[i_].isDigit()) {  // one digit, as TeX reads an argument: \frac12 is 1/2
      atoms.append(Atom{QString(s_[i_++]), Cls::Ord});
      return atoms;
    }
    one(atoms, depth + 1, EnvKind::None, false, &stop);
    return atoms;
  }

  // A script's argument: read in script style (no spacing, its own scripts in Unicode's forms).
  QString script_arg(int depth) {
    ++script_level_;
    const QString text = join(arg(depth), true);
    --script_level_;
    return text;
  }

  // Text as TeX's text mode has it: spaces kept, a few escapes undone.
  static QString text_mode(const QString& raw) {
    QString out;
    for (qsizetype k = 0; k < raw.size(); ++k) {
      if (raw[k] == QLatin1Char('\\') && k + 1 < raw.size()) {
        const QChar c = raw[k + 1];
        if (QStringLiteral("_%$&#{} ").contains(c)) {
          out += c;
          ++k;
          continue;
        }
        if (QStringLiteral(",;:!").contains(c)) {  // spacing: "arg\,max"
          if (c != QLatin1Char('!')) out += c == QLatin1Char(',') ? QChar(0x2009) : QChar(0x2005);
          ++k;
          continue;
        }
      }
      if (raw[k] == QLatin1Char('{') || raw[k] == QLatin1Char('}')) continue;
      if (raw[k] == QLatin1Char('~')) {
        out += QChar(0x00A0);
        continue;
      }
      out += raw[k];
    }
    return out;
  }

  // What reads unambiguously without parentheses: one ordinary atom (x, 12, π, x², √2) as a
  // root's body or a denominator; before "/", a short product too ("2x/3", "dy/dx"). A
  // denominator may be a differential ("∂L/∂w"), not another product ("1/2a" reads as a/2).
  enum class Place { Root, Numerator, Denominator };
  static bool simple(const QList<Atom>& atoms, Place place) {
    auto ordinary = [&atoms](const Atom& a) {
      return (a.cls == Cls::Ord || (a.cls == Cls::Inner && atoms.size() == 1)) && !a.fraction;
    };
    if (atoms.isEmpty() || !std::all_of(atoms.begin(), atoms.end(), ordinary)) return false;
    if (atoms.size() == 1) return true;
    if (place == Place::Numerator) return atoms.size() <= 3;
    if (place == Place::Denominator)
      return atoms.size() == 2 &&
             (atoms[0].text == QLatin1String("d") || atoms[0].text == QStringLiteral("∂"));
    return false;
  }

  QString wrapped(const QList<Atom>& atoms, Place place) const {
    const QString text = join(atoms);
    return simple(atoms, place) || atoms.isEmpty() ? text : QLatin1Char('(') + text + QLatin1Char(')');
  }

  void fraction(QList<Atom>& out, int depth, const QString& name) {
    const QList<Atom> num = arg(depth);
    const QList<Atom> den = arg(depth);
    if (name == QLatin1String("binom") || name == QLatin1String("dbinom") ||
        name == QLatin1String("tbinom")) {
      out.append(Atom{QStringLiteral("C(") + join(num) + QStringLiteral(", ") + join(den) + QLatin1Char(')'),
                      Cls::Inner});
      return;
    }
    // ½ and its kind where Unicode has one.
    static const QHash<QString, QString> vulgar = {
        {QStringLiteral("1/2"), QStringLiteral("½")}, {QStringLiteral("1/3"), QStringLiteral("⅓")},
        {QStringLiteral("2/3"), QStringLiteral("⅔")}, {QStringLiteral("1/4"), QStringLiteral("¼")},
        {QStringLiteral("3/4"), QStringLiteral("¾")}, {QStringLiteral("1/5"), QStringLiteral("⅕")},
        {QStringLiteral("1/6"), QStringLiteral("⅙")}, {QStringLiteral("1/8"), QStringLiteral("⅛")}};
    const QString key = stripMarks(join(num)) + QLatin1Char('/') + stripMarks(join(den));
    if (vulgar.contains(key)) {
      out.append(Atom{vulgar.value(key), Cls::Ord});
      return;
    }
    Atom a{wrapped(num, Place::Numerator) + QLatin1Char('/') + wrapped(den, Place::Denominator), Cls::Inner};
    a.fraction = true;
    out.append(a);
  }

  void root(QList<Atom>& out, int depth) {
    const QString index = optional_arg().trimmed();
    const QList<Atom> body = arg(depth);
    QString sign = QStringLiteral("√");
    if (index == QLatin1String("3")) {
      sign = QStringLiteral("∛");
    } else if (index == QLatin1String("4")) {
      sign = QStringLiteral("∜");
    } else if (!index.isEmpty()) {
      sign = QChar(kSuper) + text_mode(index) + QChar(kEnd) + sign;
    }
    out.append(Atom{sign + wrapped(body, Place::Root), Cls::Ord});
  }

  // \begin{name} ... \end{name}: rows of cells.
  void environment(QList<Atom>& out, int depth) {
    const QString name = raw_arg().trimmed();
    const QString base = QString(name).remove(QLatin1Char('*'));
    if (base == QLatin1String("array") || base == QLatin1String("alignat") ||
        base == QLatin1String("tabular"))
      raw_arg();  // the column layout or count
    static const QHash<QString, QPair<QString, QString>> delims = {
        {QStringLiteral("matrix"), {QStringLiteral("["), QStringLiteral("]")}},
        {QStringLiteral("smallmatrix"), {QStringLiteral("["), QStringLiteral("]")}},
        {QStringLiteral("array"), {QStringLiteral("["), QStringLiteral("]")}},
        {QStringLiteral("tabular"), {QStringLiteral("["), QStringLiteral("]")}},
        {QStringLiteral("pmatrix"), {QStringLiteral("("), QStringLiteral(")")}},
        {QStringLiteral("bmatrix"), {QStringLiteral("["), QStringLiteral("]")}},
        {QStringLiteral("Bmatrix"), {QStringLiteral("{"), QStringLiteral("}")}},
        {QStringLiteral("vmatrix"), {QStringLiteral("|"), QStringLiteral("|")}},
        {QStringLiteral("Vmatrix"), {QStringLiteral("‖"), QStringLiteral("‖")}},
        {QStringLiteral("cases"), {QStringLiteral("{ "), QString()}},
        {QStringLiteral("dcases"), {QStringLiteral("{ "), QString()}},
        {QStringLiteral("rcases"), {QString(), QStringLiteral(" }")}}};
    const bool cells = delims.contains(base);
    const bool is_cases = base.endsWith(QLatin1String("cases"));
    QStringList rows;
    QStringList row;
    Stop stop = Stop::End;
    while (true) {
      const QList<Atom> cell = list(depth + 1, cells ? EnvKind::Cells : EnvKind::Rows, false, &stop);
      row << join(cell);
      if (stop == Stop::Cell) continue;
      // A cases row reads "value if condition"; a matrix row's cells stand apart.
      rows << row.join(is_cases ? QStringLiteral("\u2003") : QStringLiteral("\u2002\u2002"));
      row.clear();
      if (stop == Stop::Row) continue;
      if (stop == Stop::EnvEnd) raw_arg();  // the name again
      break;
    }
    while (!rows.isEmpty() && stripMarks(rows.last()).trimmed().isEmpty()) rows.removeLast();  // a final "\\"
    // Rows on lines of their own keep their first alignment point (ProseStyle lines them up
    // there); elsewhere, and the second and later ones, they show nothing.
    const bool aligned = !cells && display_ && depth == 0;
    for (QString& line : rows) {
      const qsizetype first = line.indexOf(QChar(kAlign));
      line.remove(QChar(kAlign));
      if (aligned && first >= 0) line.insert(first, QChar(kAlign));
    }
    if (cells) {
      const auto [open, close] = delims.value(base);
      out.append(Atom{open + rows.join(QStringLiteral("; ")) + close, Cls::Inner});
      return;
    }
    // aligned, align, gather, split, equation, ...: a line each when displayed.
    out.append(
        Atom{rows.join(display_ && depth == 0 ? QStringLiteral("\n") : QStringLiteral("; ")), Cls::Inner});
  }

  void command(QList<Atom>& out, int depth, EnvKind env, Stop* stop) {
    const qsizetype start = i_;
    ++i_;  // the backslash
    if (at_end()) {
      out.append(Atom{QStringLiteral("\\"), Cls::Ord});
      return;
    }
    const QString name = command_name();
    if (name == QLatin1String("\\")) {
      optional_arg();  // \\[2pt]
      if (env != EnvKind::None) {
        *stop = Stop::Row;
        return;
      }
      Atom a{display_ && depth == 0 ? QStringLiteral("\n") : QStringLiteral("; "), Cls::Space};
      a.row_break = true;
      out.append(a);
      return;
    }
    if (name == QLatin1String("end")) {
      if (env != EnvKind::None) {
        *stop = Stop::EnvEnd;
        return;
      }
      raw_arg();  // an \end without its \begin: dropped
      return;
    }
    if (name == QLatin1String("begin")) {
      environment(out, depth);
      return;
    }
    const auto& table = symbols();
    if (const auto it = table.constFind(name); it != table.constEnd()) {
      Atom a{it->text, it->cls, it->italic};
      out.append(a);
      return;
    }
    if (is_function(name)) {
      out.append(Atom{name, Cls::Op});
      return;
    }
    if (name == QLatin1String("operatorname")) {
      if (peek() == QLatin1Char('*')) ++i_;
      out.append(Atom{text_mode(raw_arg()), Cls::Op});
      return;
    }
    if (name == QLatin1String("frac") || name == QLatin1String("dfrac") || name == QLatin1String("tfrac") ||
        name == QLatin1String("cfrac") || name.endsWith(QLatin1String("binom"))) {
      fraction(out, depth, name);
      return;
    }
    if (name == QLatin1String("sqrt")) {
      root(out, depth);
      return;
    }
    if (name == QLatin1String("text") || name == QLatin1String("textrm") ||
        name == QLatin1String("textnormal") || name == QLatin1String("mbox") ||
        name == QLatin1String("textup") || name == QLatin1String("textsf") ||
        name == QLatin1String("texttt") || name == QLatin1String("hbox")) {
      out.append(Atom{text_mode(raw_arg()), Cls::Ord});
      return;
    }
    if (name == QLatin1String("textit") || name == QLatin1String("emph")) {
      out.append(Atom{QChar(kItalic) + text_mode(raw_arg()) + QChar(kEnd), Cls::Ord});
      return;
    }
    if (name == QLatin1String("textbf")) {
      out.append(Atom{QChar(kBold) + text_mode(raw_arg()) + QChar(kEnd), Cls::Ord});
      return;
    }
    if (name == QLatin1String("mathrm") || name == QLatin1String("mathsf") ||
        name == QLatin1String("mathtt") || name == QLatin1String("mathup") ||
        name == QLatin1String("mathit") || name == QLatin1String("mathbf") ||
        name == QLatin1String("boldsymbol") || name == QLatin1String("bm") || name == QLatin1String("pmb")) {
      // Letters upright (\mathrm{d}x), italic or bold; the argument is still math.
      QList<Atom> inner = arg(depth);
      const bool italic = name == QLatin1String("mathit");
      const bool bold = name == QLatin1String("mathbf") || name == QLatin1String("boldsymbol") ||
                        name == QLatin1String("bm") || name == QLatin1String("pmb");
      for (Atom& a : inner) a.italic = italic || (bold && name != QLatin1String("mathbf") && a.italic);
      QString text = join(inner);
      if (bold) text = QChar(kBold) + text + QChar(kEnd);
      out.append(Atom{text, Cls::Ord});
      return;
    }
    if (name == QLatin1String("mathbb") || name == QLatin1String("mathcal") ||
        name == QLatin1String("mathscr") || name == QLatin1String("mathfrak") ||
        name == QLatin1String("Bbb")) {
      const QString font = name == QLatin1String("Bbb") ? QStringLiteral("mathbb") : name;
      out.append(Atom{alphabet(text_mode(raw_arg()).simplified().remove(QLatin1Char(' ')), font), Cls::Ord});
      return;
    }
    struct Accent {
      const char* name;
      char16_t mark;
      bool each;
    };
    static const Accent accents[] = {
        {"hat", 0x0302, false},       {"widehat", 0x0302, false},  {"bar", 0x0304, true},
        {"overline", 0x0305, true},   {"underline", 0x0332, true}, {"tilde", 0x0303, false},
        {"widetilde", 0x0303, false}, {"vec", 0x20D7, false},      {"overrightarrow", 0x20D7, false},
        {"dot", 0x0307, false},       {"ddot", 0x0308, false},     {"check", 0x030C, false},
        {"breve", 0x0306, false},     {"acute", 0x0301, false},    {"grave", 0x0300, false},
        {"mathring", 0x030A, false}};
    for (const Accent& acc : accents)
      if (name == QLatin1String(acc.name)) {
        const QList<Atom> inner = arg(depth);
        Atom a{accent(join(inner), acc.mark, acc.each), Cls::Ord};
        out.append(a);
        return;
      }
    if (name == QLatin1String("not")) {
      // \not= and \not\in: the negated relation (a long solidus over it where Unicode has none).
      QList<Atom> next;
      one(next, depth + 1, EnvKind::None, false, stop);
      *stop = Stop::End;
      QString text = next.isEmpty() ? QString() : stripMarks(next[0].text);
      if (text == QLatin1String("=")) {
        text = QStringLiteral("≠");
      } else if (text == QStringLiteral("∈")) {
        text = QStringLiteral("∉");
      } else if (text == QStringLiteral("⊂")) {
        text = QStringLiteral("⊄");
      } else {
        text += QChar(0x0338);
      }
      out.append(Atom{text, Cls::Rel});
      return;
    }
    if (name == QLatin1String("left") || name == QLatin1String("right") || name == QLatin1String("middle") ||
        name.startsWith(QLatin1String("big")) || name.startsWith(QLatin1String("Big"))) {
      // Sizes mean nothing in text; the delimiter after them is read as usual ("\left." is none).
      skip_space();
      if (peek() == QLatin1Char('.')) ++i_;
      return;
    }
    if (name == QLatin1String("overset") || name == QLatin1String("stackrel") ||
        name == QLatin1String("underset")) {
      const QString over = script_arg(depth);
      const QList<Atom> base = arg(depth);
      Atom a{join(base), base.size() == 1 ? base[0].cls : Cls::Ord};
      if (name == QLatin1String("underset")) {
        a.has_sub = true;
        a.sub = over;
      } else {
        a.has_sup = true;
        a.sup = over;
      }
      out.append(a);
      return;
    }
    if (name == QLatin1String("xrightarrow") || name == QLatin1String("xleftarrow")) {
      optional_arg();
      const QString over = script_arg(depth);
      Atom a{name == QLatin1String("xrightarrow") ? QStringLiteral("→") : QStringLiteral("←"), Cls::Rel};
      a.has_sup = !over.isEmpty();
      a.sup = over;
      out.append(a);
      return;
    }
    if (name == QLatin1String("pmod") || name == QLatin1String("mod")) {
      // Set apart from what it follows, as TeX does ("a ≡ b (mod n)"): a space of its own.
      const QList<Atom> m = arg(depth);
      const QString gap = out.isEmpty() ? QString() : QStringLiteral(" ");
      out.append(
          Atom{gap + (name == QLatin1String("pmod") ? QStringLiteral("(mod ") + join(m) + QLatin1Char(')')
                                                    : QStringLiteral("mod ") + join(m)),
               Cls::Space});
      return;
    }
    if (name == QLatin1String("boxed") || name == QLatin1String("fbox")) {
      // The answer of a worked problem ("\boxed{42}"): in bold, so it still stands out.
      out.append(Atom{QChar(kBold) + join(arg(depth)) + QChar(kEnd), Cls::Ord});
      return;
    }
    if (name == QLatin1String("overbrace") || name == QLatin1String("underbrace") ||
        name == QLatin1String("mathop") || name == QLatin1String("mathbin") ||
        name == QLatin1String("mathrel") || name == QLatin1String("displaystyle")) {
      if (name == QLatin1String("displaystyle")) return;  // a switch, no argument
      const QList<Atom> inner = arg(depth);
      Cls cls = Cls::Ord;
      if (name == QLatin1String("mathop")) cls = Cls::Op;
      if (name == QLatin1String("mathbin")) cls = Cls::Bin;
      if (name == QLatin1String("mathrel")) cls = Cls::Rel;
      out.append(Atom{join(inner), cls});
      return;
    }
    if (name == QLatin1String("color") || name == QLatin1String("textcolor") ||
        name == QLatin1String("colorbox")) {
      raw_arg();  // the colour; the text after it (or its argument) as usual
      return;
    }
    if (name == QLatin1String("tag")) {
      out.append(Atom{QStringLiteral("\u2003(") + text_mode(raw_arg()) + QLatin1Char(')'), Cls::Space});
      return;
    }
    if (name == QLatin1String("label") || name == QLatin1String("phantom") ||
        name == QLatin1String("hphantom") || name == QLatin1String("vphantom") ||
        name == QLatin1String("hspace") || name == QLatin1String("vspace") || name == QLatin1String("kern") ||
        name == QLatin1String("mkern") || name == QLatin1String("nonumber") ||
        name == QLatin1String("notag") || name == QLatin1String("limits") ||
        name == QLatin1String("nolimits") || name == QLatin1String("textstyle") ||
        name == QLatin1String("scriptstyle") || name == QLatin1String("scriptscriptstyle") ||
        name == QLatin1String("allowbreak")) {
      if (name == QLatin1String("label") || name.endsWith(QLatin1String("phantom")) ||
          name.endsWith(QLatin1String("space")))
        raw_arg();
      if (name.endsWith(QLatin1String("kern"))) {
        while (!at_end() && !s_[i_].isSpace() && s_[i_] != QLatin1Char('\\')) ++i_;  // 2mu
      }
      return;
    }
    // Unknown: as written.
    out.append(Atom{s_.mid(start, i_ - start).toString(), Cls::Ord});
  }

  // Reads one item into `out` (an atom, a script on the last atom, or a stop).
  void one(QList<Atom>& out, int depth, EnvKind env, bool in_group, Stop* stop) {
    const QChar c = s_[i_];
    const char16_t u = c.unicode();
    if (c.isSpace()) {
      ++i_;
      return;
    }
    if (depth > kMaxDepth) {  // nested too deep to be a formula: the rest as written
      out.append(Atom{s_.mid(i_).toString(), Cls::Ord});
      i_ = s_.size();
      return;
    }
    switch (u) {
      case u'}':
        if (in_group) {
          *stop = Stop::Brace;
          return;
        }
        ++i_;
        out.append(Atom{QStringLiteral("}"), Cls::Close});  // a stray one: shown
        return;
      case u'&':
        ++i_;
        if (env == EnvKind::Cells) *stop = Stop::Cell;
        if (env == EnvKind::Rows)
          out.append(Atom{QString(QChar(kAlign)), Cls::Space});  // kept where displayed
        return;
      case u'{': {
        ++i_;
        Stop inner_stop = Stop::End;
        const QList<Atom> inner = list(depth + 1, EnvKind::None, true, &inner_stop);
        if (inner_stop == Stop::Brace) ++i_;
        // {x} is x; a longer group is one ordinary atom.
        if (inner.size() == 1 && !inner[0].row_break)
          out.append(inner[0]);
        else
          out.append(Atom{join(inner), Cls::Ord});
        return;
      }
      case u'^':
      case u'_': {
        ++i_;
        const QString script = script_arg(depth);
        if (out.isEmpty() || out.last().cls == Cls::Space) out.append(Atom{QString(), Cls::Ord});
        Atom& base = out.last();
        (u == u'^' ? base.sup : base.sub) += script;
        (u == u'^' ? base.has_sup : base.has_sub) = true;
        return;
      }
      case u'\'': {
        QString primes;
        while (peek() == QLatin1Char('\'')) {
          primes += QChar(0x2032);
          ++i_;
        }
        out.append(Atom{primes, Cls::Ord});
        return;
      }
      case u'\\':
        command(out, depth, env, stop);
        return;
      default:
        break;
    }
    ++i_;
    if (c.isLetter()) {
      if (c.isHighSurrogate() && !at_end() && s_[i_].isLowSurrogate()) {
        out.append(Atom{QString(c) + s_[i_++], Cls::Ord});
        return;
      }
      out.append(Atom{QString(c), Cls::Ord, u < 128});
      return;
    }
    if (c.isDigit() || c == QLatin1Char('.')) {
      // A number is one atom: "3.14" reads as one thing after "/" or "√".
      QString number(c);
      while (!at_end() &&
             (s_[i_].isDigit() || (s_[i_] == QLatin1Char('.') && i_ + 1 < s_.size() && s_[i_ + 1].isDigit())))
        number += s_[i_++];
      out.append(Atom{number, Cls::Ord});
      return;
    }
    // The other characters by class; "-" is a minus sign, "*" an asterisk operator, "~" a
    // no-break space.
    Cls cls = Cls::Ord;
    if (QStringView(u"+-*").contains(c)) cls = Cls::Bin;
    if (QStringView(u"=<>:").contains(c)) cls = Cls::Rel;
    if (QStringView(u",;").contains(c)) cls = Cls::Punct;
    if (QStringView(u"([").contains(c)) cls = Cls::Open;
    if (QStringView(u")]!?").contains(c)) cls = Cls::Close;
    if (c == QLatin1Char('~')) cls = Cls::Space;
    const QChar shown = u == u'-' ? QChar(0x2212) : u == u'*' ? QChar(0x2217) : u == u'~' ? QChar(0x00A0) : c;
    out.append(Atom{QString(shown), cls});
  }

  QList<Atom> list(int depth, EnvKind env, bool in_group, Stop* stop) {
    QList<Atom> atoms;
    *stop = Stop::End;
    while (!at_end()) {
      one(atoms, depth, env, in_group, stop);
      if (*stop != Stop::End) return atoms;
    }
    *stop = Stop::End;
    return atoms;
  }

  // A script's text where scripts cannot nest (inside a superscript): Unicode's forms where
  // every character has one, else "^(...)".
  static QString inner_script(const QString& rendered, bool super) {
    const QString p = stripMarks(rendered);
    QString out;
    for (const QChar c : p) {
      const QChar f = script_form(c, super);
      if (f.isNull()) return (super ? QStringLiteral("^(") : QStringLiteral("_(")) + p + QLatin1Char(')');
      out += f;
    }
    return out;
  }

  static QString space_between(Cls prev, Cls cur) {
    if (prev == Cls::None || prev == Cls::Open || cur == Cls::Close || cur == Cls::Punct) return {};
    if (cur == Cls::Rel) return prev == Cls::Rel ? QString() : QStringLiteral(" ");
    if (prev == Cls::Rel || prev == Cls::Bin || cur == Cls::Bin || prev == Cls::Punct)
      return QStringLiteral(" ");
    if (cur == Cls::Op && (prev == Cls::Ord || prev == Cls::Close || prev == Cls::Inner || prev == Cls::Op))
      return QStringLiteral("\u2009");
    if (prev == Cls::Op && (cur == Cls::Ord || cur == Cls::Inner)) return QStringLiteral("\u2009");
    return {};
  }

  // The class of the first atom after atoms[k] that is not a space (None: none).
  static Cls next_class(const QList<Atom>& atoms, qsizetype k) {
    for (qsizetype j = k + 1; j < atoms.size(); ++j)
      if (atoms[j].cls != Cls::Space) return atoms[j].cls;
    return Cls::None;
  }

  // Atoms as marked text. depth > 0 inside scripts: no space around operators (TeX's script
  // style), and a script's own scripts in Unicode's forms.
  QString join(const QList<Atom>& atoms, bool script = false) const {
    const bool in_script = script || script_level_ > 0;
    QString out;
    Cls prev = Cls::None;
    bool italic_open = false;
    for (qsizetype k = 0; k < atoms.size(); ++k) {
      const Atom& a = atoms[k];
      if (a.cls == Cls::Space) {
        if (italic_open) out += QChar(kEnd);
        italic_open = false;
        if (a.text == QChar(kAlign)) {
          // The space the next atom takes goes before the alignment point, so that what
          // follows it ("= b") starts at the same place in every row.
          const Cls next = next_class(atoms, k);
          if (!in_script && next != Cls::None) out += space_between(prev, next);
          prev = Cls::None;
        }
        out += a.text;
        continue;
      }
      Cls cls = a.cls;
      // A binary operator with nothing to its left (or an operator or relation there) is unary:
      // "-1", "= -x".
      const Cls next = next_class(atoms, k);
      if (cls == Cls::Bin && (prev == Cls::None || prev == Cls::Bin || prev == Cls::Op || prev == Cls::Rel ||
                              prev == Cls::Open || prev == Cls::Punct || next == Cls::None ||
                              next == Cls::Rel || next == Cls::Close || next == Cls::Punct))
        cls = Cls::Ord;
      const QString space = in_script ? QString() : space_between(prev, cls);
      const bool scripts = a.has_sup || a.has_sub;
      if (italic_open && (!a.italic || !space.isEmpty())) {
        out += QChar(kEnd);
        italic_open = false;
      }
      out += space;
      QString text = a.text;
      // A fraction next to what it multiplies, or under a script, in parentheses: "(a/b)x",
      // "(1/n) ∑ xᵢ".
      if (a.fraction && (scripts || prev == Cls::Ord || prev == Cls::Inner || prev == Cls::Close ||
                         next == Cls::Ord || next == Cls::Inner || next == Cls::Open || next == Cls::Op))
        text = QLatin1Char('(') + text + QLatin1Char(')');
      if (a.italic) {
        if (!italic_open) out += QChar(kItalic);
        italic_open = true;
        out += text;
      } else {
        out += text;
      }
      if (scripts && italic_open) {
        out += QChar(kEnd);
        italic_open = false;
      }
      if (a.has_sub) {
        if (in_script)
          out += inner_script(a.sub, false);
        else
          out += QChar(kSub) + a.sub + QChar(kEnd);
      }
      if (a.has_sup) {
        if (in_script)
          out += inner_script(a.sup, true);
        else
          out += QChar(kSuper) + a.sup + QChar(kEnd);
      }
      prev = cls;
    }
    if (italic_open) out += QChar(kEnd);
    return out;
  }

  QStringView s_;
  qsizetype i_ = 0;
  bool display_;
  int script_level_ = 0;  // > 0 while a script's argument is read
};

}  // namespace

QString stripMarks(QStringView text) {
  QString out;
  out.reserve(text.size());
  for (const QChar c : text)
    if (!isMark(c)) out += c;
  return out;
}

QString render(QStringView tex, bool display) {
  return Renderer(tex, display).all();
}

namespace {

// Rendered math as Markdown text: ASCII punctuation escaped, its line breaks `line_break`.
QString escaped(const QString& text, const QString& line_break) {
  static const QString punct = QStringLiteral("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");
  QString out;
  out.reserve(text.size() * 2);
  for (const QChar c : text) {
    if (c == QLatin1Char('\n')) {
      out += line_break;
      continue;
    }
    if (punct.contains(c)) out += QLatin1Char('\\');
    out += c;
  }
  return out;
}

// Whether `s` has an ordinal's ending at `at` ("th", "st", "nd" or "rd", then no letter or digit).
bool ordinal_ending(const QString& s, qsizetype at) {
  if (at + 2 > s.size()) return false;
  const QStringView two = QStringView(s).mid(at, 2);
  if (two != u"th" && two != u"st" && two != u"nd" && two != u"rd") return false;
  return at + 2 == s.size() || !s[at + 2].isLetterOrNumber();
}

// Where a formula opened at `from` closes: the index of `close` ("$", "$$", "\\)" or "\\]"), or
// -1 where it does not before a blank line, a backtick (a formula holds no code) or `limit`
// characters. A closing "$" follows a non-space and is not followed by a digit or a letter
// ("$5 and $10" is money, "$HOME/$USER" a shell's), but for an ordinal's ending right after the
// first "$" ("the $n$th term", "the $(k+1)$st").
qsizetype find_close(const QString& s, qsizetype from, QStringView close, qsizetype limit) {
  const qsizetype n = s.size();
  const qsizetype stop = std::min(n, from + limit);
  bool passed_dollar = false;
  for (qsizetype j = from; j < stop; ++j) {
    const QChar c = s[j];
    if (c == QLatin1Char('`')) return -1;
    if (c == QLatin1Char('\n')) {
      qsizetype k = j + 1;
      while (k < n && (s[k] == QLatin1Char(' ') || s[k] == QLatin1Char('\t') || s[k] == QLatin1Char('\r')))
        ++k;
      if (k >= n || s[k] == QLatin1Char('\n')) return -1;  // a blank line (or the end) ends the paragraph
      continue;
    }
    if (c == QLatin1Char('\\')) {
      if (close.startsWith(QLatin1Char('\\')) && QStringView(s).mid(j).startsWith(close)) return j;
      ++j;  // an escaped character closes nothing
      continue;
    }
    if (c != QLatin1Char('$') || close.startsWith(QLatin1Char('\\'))) continue;
    if (close.size() == 2) {
      if (j + 1 < n && s[j + 1] == QLatin1Char('$')) return j;
      continue;
    }
    if (!s[j - 1].isSpace() && (j + 1 >= n || !(s[j + 1].isLetterOrNumber() && s[j + 1].unicode() < 128) ||
                                (!passed_dollar && ordinal_ending(s, j + 1))))
      return j;
    passed_dollar = true;  // "$5 in the $n$th": not "5 in the $n"
  }
  return -1;
}

// Whether `line` is paragraph text (a hard break may end it, or it may follow one): not blank,
// not a heading, quote, table row, list item or thematic break. (A backslash before the end of a
// paragraph is no break: it shows.)
bool paragraph_text(QStringView line) {
  line = line.trimmed();
  return !line.isEmpty() && !line.startsWith(QLatin1Char('#')) && !line.startsWith(QLatin1Char('|')) &&
         !line.startsWith(QLatin1Char('>')) && !markdown::isListItem(line) && !markdown::isRule(line);
}

// The environments that are a displayed formula by themselves (not aligned or cases, which
// sit inside one).
bool is_display_environment(QString name) {
  name.remove(QLatin1Char('*'));
  static const QStringList names = {QStringLiteral("equation"), QStringLiteral("align"),
                                    QStringLiteral("gather"),   QStringLiteral("multline"),
                                    QStringLiteral("eqnarray"), QStringLiteral("flalign"),
                                    QStringLiteral("alignat"),  QStringLiteral("displaymath")};
  return names.contains(name);
}

// Whether the line before the current one of `out` (which ends with a line break and the
// current line's indentation) is text of the paragraph the current line continues (a list
// item's first line included), not ending with a hard break already.
bool breakable_previous_line(const QString& out) {
  const qsizetype nl = out.lastIndexOf(QLatin1Char('\n'));
  if (nl <= 0) return false;
  const qsizetype prev = out.lastIndexOf(QLatin1Char('\n'), nl - 1);
  const QStringView line = QStringView(out).mid(prev + 1, nl - prev - 1).trimmed();
  return !line.isEmpty() && !line.startsWith(QLatin1Char('#')) && !line.startsWith(QLatin1Char('|')) &&
         !line.endsWith(QLatin1Char('\\')) && !markdown::isRule(line);
}

}  // namespace

QString renderFormulas(const QString& input) {
  const QString prose = stripMarks(input);
  const qsizetype n = prose.size();
  QString out;
  out.reserve(n + 16);
  constexpr qsizetype kInlineLimit = 1000, kDisplayLimit = 8000;
  QHash<QString, qsizetype> env_end;  // an environment's name -> its next "\end{name}" (-1: none)
  // Whether the current line has nothing but indentation so far (a formula that starts a line).
  auto at_line_start = [&out]() {
    const QStringView line = QStringView(out).mid(out.lastIndexOf(QLatin1Char('\n')) + 1);
    return std::all_of(line.begin(), line.end(),
                       [](QChar c) { return c == QLatin1Char(' ') || c == QLatin1Char('\t'); });
  };
  // A displayed formula: lines of its own, indented, where it starts a line; inline elsewhere.
  // Returns where to go on reading.
  auto display = [&](const QString& tex, qsizetype after) -> qsizetype {
    if (!at_line_start()) {
      out += escaped(render(tex, false), QString());
      return after;
    }
    // Lines of its own in its paragraph (line-break marks: a Markdown hard break would make each
    // line a block of its own in Qt's reader, spaced as paragraphs), indented.
    const QString indent = QStringLiteral("\u2003\u2003");
    if (!out.isEmpty() && breakable_previous_line(out)) out += QChar(kLineBreak);  // "Text:\n$$x$$"
    out += indent + escaped(render(tex, true), QChar(kLineBreak) + indent);
    // And a break after it, before more text on its line or the paragraph's next line (at that
    // line's start: after the soft break's space, which would show at the start of the line).
    qsizetype k = after;
    while (k < n && (prose[k] == QLatin1Char(' ') || prose[k] == QLatin1Char('\t'))) ++k;
    if (k >= n) return k;
    if (prose[k] != QLatin1Char('\n')) {
      out += QChar(kLineBreak);
      return k;
    }
    qsizetype next_end = prose.indexOf(QLatin1Char('\n'), k + 1);
    if (next_end < 0) next_end = n;
    if (!paragraph_text(QStringView(prose).mid(k + 1, next_end - k - 1))) return k;
    qsizetype text_start = k + 1;
    while (text_start < n &&
           (prose[text_start] == QLatin1Char(' ') || prose[text_start] == QLatin1Char('\t')))
      ++text_start;
    out += QStringView(prose).mid(k, text_start - k);
    out += QChar(kLineBreak);
    return text_start;
  };
  qsizetype i = 0;
  while (i < n) {
    const QChar c = prose[i];
    if (c == QLatin1Char('`')) {
      // A code span as it is (or its backticks, where it does not close on the line).
      const markdown::CodeSpan span = markdown::codeSpanAt(prose, i);
      const qsizetype end = span.close < 0 ? i + span.run : span.close + span.run;
      out += QStringView(prose).mid(i, end - i);
      i = end;
      continue;
    }
    if (c == QLatin1Char('\\') && QStringView(prose).mid(i).startsWith(u"\\begin{") && at_line_start()) {
      // A displayed environment without dollars around it ("\begin{align} ... \end{align}" on
      // lines of its own), as MathJax reads one too.
      const qsizetype name_end = prose.indexOf(QLatin1Char('}'), i + 7);
      const QString name = name_end > 0 && name_end - i < 40 ? prose.mid(i + 7, name_end - i - 7) : QString();
      const QString end = QStringLiteral("\\end{") + name + QLatin1Char('}');
      // Where the next "\end{name}" is, remembered until passed: many unclosed ones stay linear.
      qsizetype close = -1;
      if (is_display_environment(name)) {
        auto it = env_end.find(name);
        if (it == env_end.end() || (it.value() >= 0 && it.value() < name_end))
          it = env_end.insert(name, prose.indexOf(end, name_end));
        close = it.value();
      }
      if (close >= 0 && close - i < kDisplayLimit && !markdown::hasBlankLine(prose, i, close)) {
        i = display(prose.mid(i, close + end.size() - i), close + end.size());
        continue;
      }
    }
    if (c == QLatin1Char('\\') && i + 1 < n) {
      const QChar d = prose[i + 1];
      if (d == QLatin1Char('(') || d == QLatin1Char('[')) {
        const bool is_display = d == QLatin1Char('[');
        const QString closer = is_display ? QStringLiteral("\\]") : QStringLiteral("\\)");
        const qsizetype close = find_close(prose, i + 2, closer, is_display ? kDisplayLimit : kInlineLimit);
        if (close >= 0 && !prose.mid(i + 2, close - i - 2).trimmed().isEmpty()) {
          const QString tex = prose.mid(i + 2, close - i - 2);
          if (is_display) {
            i = display(tex, close + 2);
          } else {
            out += escaped(render(tex, false), QString());
            i = close + 2;
          }
          continue;
        }
      }
      out += QStringView(prose).mid(i, 2);  // an escape pair, as it is ("\$" stays a dollar)
      i += 2;
      continue;
    }
    if (c == QLatin1Char('$')) {
      if (i + 1 < n && prose[i + 1] == QLatin1Char('$')) {
        const qsizetype close = find_close(prose, i + 2, u"$$", kDisplayLimit);
        if (close >= 0 && !prose.mid(i + 2, close - i - 2).trimmed().isEmpty()) {
          i = display(prose.mid(i + 2, close - i - 2), close + 2);
          continue;
        }
        out += QStringLiteral("$$");
        i += 2;
        continue;
      }
      if (i + 1 < n && !prose[i + 1].isSpace()) {
        const qsizetype close = find_close(prose, i + 1, u"$", kInlineLimit);
        if (close >= 0) {
          out += escaped(render(QStringView(prose).mid(i + 1, close - i - 1), false), QString());
          i = close + 1;
          continue;
        }
      }
    }
    out += c;
    ++i;
  }
  return out;
}

namespace {

// Where a quote line's text starts: after its ">" markers and the spaces between them.
qsizetype quote_text_start(QStringView line) {
  qsizetype k = 0;
  while (k < line.size() &&
         (line[k] == QLatin1Char('>') || line[k] == QLatin1Char(' ') || line[k] == QLatin1Char('\t')))
    ++k;
  return k;
}

}  // namespace

QString markLineBreaks(const QString& markdown) {
  QStringList lines = markdown.split(QLatin1Char('\n'));
  // Lines of an indented code block (4 spaces after a blank line, not inside a list item): their
  // breaks are the code's own.
  QList<bool> code(lines.size(), false);
  // Lines of a table (GitHub's: a line with "|" over a delimiter row, the rows after it up to a
  // blank line), leading pipes or not: a break in one would split the table.
  QList<bool> table(lines.size(), false);
  auto delimiter_row = [](QStringView line) {
    line = line.trimmed();
    return line.contains(QLatin1Char('-')) &&
           (line.contains(QLatin1Char('|')) || line.contains(QLatin1Char(':'))) &&
           std::all_of(line.begin(), line.end(), [](QChar c) {
             return c == QLatin1Char('-') || c == QLatin1Char(':') || c == QLatin1Char('|') || c.isSpace();
           });
  };
  for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
    if (!lines[i].contains(QLatin1Char('|')) || !delimiter_row(lines[i + 1])) continue;
    qsizetype j = i;
    while (j < lines.size() && !lines[j].trimmed().isEmpty()) table[j++] = true;
    i = j;
  }
  for (qsizetype i = 0; i < lines.size(); ++i) {
    const qsizetype indent = markdown::leadingSpaces(lines[i]);
    if (indent < 4 || lines[i].trimmed().isEmpty()) continue;
    const bool after_blank = i == 0 || lines[i - 1].trimmed().isEmpty() || code[i - 1];
    if (!after_blank) continue;
    const bool in_item = markdown::insideListItem(lines, i, indent);
    code[i] = !in_item;
  }
  for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
    QString& line = lines[i];
    QString& next = lines[i + 1];
    const QStringView text = QStringView(line).trimmed();
    const bool quoted =
        text.startsWith(QLatin1Char('>')) && QStringView(next).trimmed().startsWith(QLatin1Char('>'));
    const QStringView next_text = quoted ? QStringView(next).mid(quote_text_start(next)) : QStringView(next);
    // Not where the line is no paragraph's text (a heading, a table row, a rule, a blank line,
    // code) or where the next line starts a block of its own.
    if (text.isEmpty() || markdown::isRule(text) || text.startsWith(QLatin1Char('#')) ||
        text.startsWith(QLatin1Char('|')) || code[i] || code[i + 1] || table[i] || table[i + 1] ||
        (quoted && QStringView(line).mid(quote_text_start(line)).trimmed().isEmpty()) ||
        !paragraph_text(next_text))
      continue;
    // A hard break's own marker goes: the mark is the break.
    qsizetype slashes = 0;
    while (slashes < line.size() && line[line.size() - 1 - slashes] == QLatin1Char('\\')) ++slashes;
    if (slashes % 2 == 1) {
      line.chop(1);
    } else if (line.endsWith(QLatin1String("  "))) {
      while (line.endsWith(QLatin1Char(' '))) line.chop(1);
    }
    qsizetype lead = quoted ? quote_text_start(next) : 0;
    while (lead < next.size() && (next[lead] == QLatin1Char(' ') || next[lead] == QLatin1Char('\t'))) ++lead;
    if (lead < next.size() && next[lead] == QChar(kLineBreak)) continue;  // a displayed formula's own
    next.insert(lead, QChar(kLineBreak));
  }
  return lines.join(QLatin1Char('\n'));
}

}  // namespace mathtext
