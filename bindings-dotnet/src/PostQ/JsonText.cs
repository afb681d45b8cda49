using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace PostQ
{
    /// <summary>
    /// Reads JSON text (RFC 8259, strict) into the <see cref="JsonTree"/> values. Why not
    /// the framework's reader: free-form values need a tree, and the only tree reader both
    /// runtimes share — <c>JsonReaderWriterFactory.CreateJsonReader</c> under XLinq — aborts
    /// the PyPI CoreCLR 3.1 runtime on a machine without OpenSSL 1.x (its element names
    /// pull in the OpenSSL shim), while DataContractJsonSerializer's own reading and all
    /// writing work. This reader is used only for free-form values and test vectors; every
    /// model is still read by DataContractJsonSerializer.
    /// </summary>
    internal sealed class JsonText
    {
        private const int MaxDepth = 128;
        private readonly string text;
        private int pos;

        private JsonText(string text)
        {
            this.text = text;
        }

        /// <summary>The value of a JSON document; malformed text is <see cref="PostQException"/> (<c>invalid_response</c>).</summary>
        internal static object Parse(string text)
        {
            var reader = new JsonText(text);
            var value = reader.Value(0);
            reader.Space();
            if (reader.pos != text.Length) throw reader.Fail("trailing characters");
            return value;
        }

        private PostQException Fail(string why) =>
            new PostQException("malformed JSON at offset " + pos + ": " + why, null, "invalid_response");

        private void Space()
        {
            while (pos < text.Length && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' || text[pos] == '\r')) pos++;
        }

        private char Peek() => pos < text.Length ? text[pos] : '\0';

        private void Expect(string literal)
        {
            if (string.CompareOrdinal(text, pos, literal, 0, literal.Length) != 0) throw Fail("expected " + literal);
            pos += literal.Length;
        }

        private object Value(int depth)
        {
            if (depth > MaxDepth) throw Fail("nested too deeply");
            Space();
            switch (Peek())
            {
                case '{': return Object(depth);
                case '[': return Array(depth);
                case '"': return String();
                case 't': Expect("true"); return true;
                case 'f': Expect("false"); return false;
                case 'n': Expect("null"); return null;
                default: return Number();
            }
        }

        private Dictionary<string, object> Object(int depth)
        {
            var map = new Dictionary<string, object>(StringComparer.Ordinal);
            pos++;
            Space();
            if (Peek() == '}')
            {
                pos++;
                return map;
            }
            while (true)
            {
                Space();
                if (Peek() != '"') throw Fail("expected a key");
                var key = String();
                Space();
                Expect(":");
                map[key] = Value(depth + 1);
                Space();
                if (Peek() == ',')
                {
                    pos++;
                    continue;
                }
                Expect("}");
                return map;
            }
        }

        private List<object> Array(int depth)
        {
            var list = new List<object>();
            pos++;
            Space();
            if (Peek() == ']')
            {
                pos++;
                return list;
            }
            while (true)
            {
                list.Add(Value(depth + 1));
                Space();
                if (Peek() == ',')
                {
                    pos++;
                    continue;
                }
                Expect("]");
                return list;
            }
        }

        private string String()
        {
            pos++; // the opening quote
            var sb = new StringBuilder();
            while (true)
            {
                if (pos >= text.Length) throw Fail("unterminated string");
                var c = text[pos++];
                if (c == '"') return sb.ToString();
                if (c < 0x20) throw Fail("control character in a string");
                if (c != '\\')
                {
                    sb.Append(c);
                    continue;
                }
                if (pos >= text.Length) throw Fail("unterminated escape");
                var e = text[pos++];
                switch (e)
                {
                    case '"': sb.Append('"'); break;
                    case '\\': sb.Append('\\'); break;
                    case '/': sb.Append('/'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'u':
                        int code;
                        if (pos + 4 > text.Length || !int.TryParse(text.Substring(pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out code))
                            throw Fail("bad \\u escape");
                        sb.Append((char)code);
                        pos += 4;
                        break;
                    default: throw Fail("bad escape");
                }
            }
        }

        private object Number()
        {
            var start = pos;
            if (Peek() == '-') pos++;
            if (Peek() == '0') pos++;
            else if (Peek() >= '1' && Peek() <= '9') while (Peek() >= '0' && Peek() <= '9') pos++;
            else throw Fail("expected a value");
            var integral = true;
            if (Peek() == '.')
            {
                integral = false;
                pos++;
                if (!(Peek() >= '0' && Peek() <= '9')) throw Fail("expected a digit");
                while (Peek() >= '0' && Peek() <= '9') pos++;
            }
            if (Peek() == 'e' || Peek() == 'E')
            {
                integral = false;
                pos++;
                if (Peek() == '+' || Peek() == '-') pos++;
                if (!(Peek() >= '0' && Peek() <= '9')) throw Fail("expected a digit");
                while (Peek() >= '0' && Peek() <= '9') pos++;
            }
            var token = text.Substring(start, pos - start);
            long whole;
            if (integral && long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out whole)) return whole;
            return double.Parse(token, NumberStyles.Float, CultureInfo.InvariantCulture);
        }
    }
}
