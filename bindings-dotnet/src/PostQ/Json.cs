using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Runtime.Serialization;
using System.Runtime.Serialization.Json;
using System.Text;
using System.Xml;

namespace PostQ
{
    /// <summary>
    /// Marks the private JSON-text twin of a free-form property (scan metadata):
    /// <see cref="Json"/> swaps the raw JSON value for its text before
    /// DataContractJsonSerializer reads, and back after it writes.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property)]
    internal sealed class FreeFormJsonAttribute : Attribute { }

    /// <summary>
    /// The JSON codec of the models: DataContractJsonSerializer (on Mono and .NET alike)
    /// over the generated <c>[DataContract]</c> classes. A free-form field (scan metadata)
    /// or string map is a private JSON-text twin: reading swaps the raw value for its text
    /// first, writing swaps the text back for the value. Both swaps work on the parsed
    /// tree (<see cref="JsonText"/> in, <see cref="JsonTree.Write"/> out), never on the
    /// serializer's XLinq infoset: that route cost more than the native round trip.
    /// </summary>
    internal static class Json
    {
        private static readonly DataContractJsonSerializerSettings Settings = new DataContractJsonSerializerSettings
        {
            UseSimpleDictionaryFormat = true,
        };
        private static readonly ConcurrentDictionary<Type, DataContractJsonSerializer> Serializers =
            new ConcurrentDictionary<Type, DataContractJsonSerializer>();
        private static readonly ConcurrentDictionary<Type, bool> FreeFormTypes = new ConcurrentDictionary<Type, bool>();
        private static readonly ConcurrentDictionary<Type, Shape> Shapes = new ConcurrentDictionary<Type, Shape>();
        private static readonly UTF8Encoding Utf8Text = new UTF8Encoding(false, true);

        /// <summary>A data member as the walks need it: wire name, type, free-form or not.</summary>
        private sealed class Member
        {
            internal string Name;
            internal Type Type;
            internal bool FreeForm;
        }

        /// <summary>What the walks need of a type, found by reflection once per type.</summary>
        private sealed class Shape
        {
            internal Type Item;          // the item type of a list, array or dictionary
            internal Member[] Members;   // null unless a [DataContract]
        }

        private static DataContractJsonSerializer For(Type type) =>
            Serializers.GetOrAdd(type, t => new DataContractJsonSerializer(t, Settings));

        private static Shape ShapeOf(Type type) => Shapes.GetOrAdd(type, t =>
        {
            var shape = new Shape { Item = Element(t) };
            if (shape.Item == null && t.GetCustomAttribute<DataContractAttribute>() != null)
            {
                shape.Members = Members(t).Select(p => new Member
                {
                    Name = p.GetCustomAttribute<DataMemberAttribute>().Name ?? p.Name,
                    Type = p.PropertyType,
                    FreeForm = p.GetCustomAttribute<FreeFormJsonAttribute>() != null,
                }).ToArray();
            }
            return shape;
        });

        /// <summary>A model as UTF-8 JSON.</summary>
        internal static byte[] Serialize<T>(T value)
        {
            byte[] bytes;
            using (var stream = new MemoryStream())
            {
                try
                {
                    For(typeof(T)).WriteObject(stream, value);
                }
                catch (TargetInvocationException e) when (e.InnerException is PostQException)
                {
                    // Mono calls the twin getters by reflection: surface their own validation error.
                    ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                    throw;
                }
                bytes = stream.ToArray();
            }
            if (!HasFreeForm(typeof(T))) return bytes;
            // Free-form twins went out as JSON text in a string: put the values back.
            var tree = Expand(JsonText.Parse(Utf8Text.GetString(bytes)), typeof(T));
            return Utf8Text.GetBytes(JsonTree.Write(tree));
        }

        /// <summary>A model from JSON text (what the library returns).</summary>
        internal static T Deserialize<T>(string text)
        {
            try
            {
                var serializer = For(typeof(T));
                if (HasFreeForm(typeof(T)))
                {
                    // Free-form values become their JSON text (the twin property's string), then the
                    // serializer reads the rewritten document.
                    text = JsonTree.Write(Collapse(JsonText.Parse(text), typeof(T)));
                }
                using (var stream = new MemoryStream(Utf8Text.GetBytes(text))) return (T)serializer.ReadObject(stream);
            }
            catch (Exception e) when (e is SerializationException || e is XmlException || e is InvalidCastException || e is FormatException)
            {
                throw new PostQException("postq returned JSON this binding cannot read: " + e.Message, null, "invalid_response", null, e);
            }
        }

        private static bool HasFreeForm(Type type) => FreeFormTypes.GetOrAdd(type, t => Scan(t, new HashSet<Type>()));

        private static bool Scan(Type type, HashSet<Type> seen)
        {
            type = Element(type) ?? type;
            if (!seen.Add(type) || type.GetCustomAttribute<DataContractAttribute>() == null) return false;
            foreach (var member in Members(type))
            {
                if (member.GetCustomAttribute<FreeFormJsonAttribute>() != null) return true;
                if (Scan(member.PropertyType, seen)) return true;
            }
            return false;
        }

        /// <summary>The item type of a list, array or dictionary of values; null otherwise.</summary>
        private static Type Element(Type type)
        {
            if (type.IsArray) return type.GetElementType();
            if (!type.IsGenericType) return null;
            var def = type.GetGenericTypeDefinition();
            if (def == typeof(List<>)) return type.GetGenericArguments()[0];
            if (def == typeof(Dictionary<,>)) return type.GetGenericArguments()[1];
            return null;
        }

        private static IEnumerable<PropertyInfo> Members(Type type)
        {
            for (var t = type; t != null && t != typeof(object); t = t.BaseType)
            {
                foreach (var p in t.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (p.GetCustomAttribute<DataMemberAttribute>() != null) yield return p;
                }
            }
        }

        // Writing: each free-form twin's JSON text (a string in the serializer's output)
        // becomes the raw JSON value again, guided by the model type.
        private static object Expand(object value, Type type) =>
            Rewrite(value, type, text => text is string s ? JsonText.Parse(s) : text);

        // Reading: each free-form value becomes its JSON text for the twin property.
        private static object Collapse(object value, Type type) => Rewrite(value, type, JsonTree.Write);

        private static object Rewrite(object value, Type type, Func<object, object> freeForm)
        {
            if (value == null) return null;
            var shape = ShapeOf(type);
            if (shape.Item != null)
            {
                if (value is List<object> list)
                {
                    for (var i = 0; i < list.Count; i++) list[i] = Rewrite(list[i], shape.Item, freeForm);
                }
                else if (value is Dictionary<string, object> entries)
                {
                    foreach (var key in entries.Keys.ToList()) entries[key] = Rewrite(entries[key], shape.Item, freeForm);
                }
                return value;
            }
            var map = value as Dictionary<string, object>;
            if (map == null || shape.Members == null) return value;
            foreach (var member in shape.Members)
            {
                object child;
                if (!map.TryGetValue(member.Name, out child) || child == null) continue;
                map[member.Name] = member.FreeForm ? freeForm(child) : Rewrite(child, member.Type, freeForm);
            }
            return map;
        }
    }

    /// <summary>
    /// Free-form JSON as .NET values: objects are <c>IDictionary&lt;string, object&gt;</c>,
    /// arrays <c>IList&lt;object&gt;</c>, numbers <c>long</c> or <c>double</c>, and
    /// strings, booleans and null as themselves.
    /// </summary>
    public static class JsonTree
    {
        /// <summary>Parse JSON text into .NET values (null text is null).</summary>
        public static object Read(string json)
        {
            if (json == null) return null;
            return JsonText.Parse(json);
        }

        /// <summary>A JSON object of strings (null text is null).</summary>
        internal static Dictionary<string, string> ReadStringMap(string json)
        {
            var value = Read(json);
            if (value == null) return null;
            var map = value as Dictionary<string, object>;
            if (map == null || map.Values.Any(v => !(v is string))) throw new PostQException("expected a JSON object of strings", null, "invalid_response");
            return map.ToDictionary(kv => kv.Key, kv => (string)kv.Value, StringComparer.Ordinal);
        }

        /// <summary>.NET values as JSON text (null is null).</summary>
        public static string Write(object value)
        {
            if (value == null) return null;
            var sb = new StringBuilder();
            Append(sb, value, 0);
            return sb.ToString();
        }

        private const int MaxDepth = 128;

        private static void Append(StringBuilder sb, object value, int depth)
        {
            if (depth > MaxDepth) throw new PostQValidationException("a free-form JSON value is nested too deeply");
            if (value == null)
            {
                sb.Append("null");
                return;
            }
            if (value is string s)
            {
                Quote(sb, s);
                return;
            }
            if (value is bool b)
            {
                sb.Append(b ? "true" : "false");
                return;
            }
            if (value is IDictionary<string, object> map)
            {
                var first = true;
                sb.Append('{');
                foreach (var kv in map)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    Key(sb, kv.Key);
                    Append(sb, kv.Value, depth + 1);
                }
                sb.Append('}');
                return;
            }
            if (value is IDictionary dict)
            {
                var first = true;
                sb.Append('{');
                foreach (DictionaryEntry kv in dict)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    Key(sb, Convert.ToString(kv.Key, CultureInfo.InvariantCulture));
                    Append(sb, kv.Value, depth + 1);
                }
                sb.Append('}');
                return;
            }
            if (value is IEnumerable list)
            {
                var first = true;
                sb.Append('[');
                foreach (var v in list)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    Append(sb, v, depth + 1);
                }
                sb.Append(']');
                return;
            }
            if (value is double || value is float)
            {
                var d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (double.IsNaN(d) || double.IsInfinity(d)) throw new PostQValidationException("JSON numbers must be finite");
                sb.Append(d.ToString("R", CultureInfo.InvariantCulture));
                return;
            }
            if (value is int || value is long || value is short || value is byte || value is sbyte || value is uint || value is ulong || value is ushort || value is decimal)
            {
                sb.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                return;
            }
            throw new PostQValidationException("a free-form JSON value cannot be a " + value.GetType().Name
                + " (use strings, numbers, booleans, null, dictionaries and lists)");
        }

        private static void Key(StringBuilder sb, string key)
        {
            if (key == null) throw new PostQValidationException("JSON object keys must not be null");
            Quote(sb, key);
            sb.Append(':');
        }

        // RFC 8259 string: quote, backslash and control characters escaped; surrogates as
        // \u escapes so a lone one still makes valid JSON (and valid UTF-8 after it).
        private static void Quote(StringBuilder sb, string s)
        {
            sb.Append('"');
            foreach (var c in s)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    case '\b': sb.Append("\\b"); break;
                    case '\f': sb.Append("\\f"); break;
                    default:
                        if (c < 0x20 || char.IsSurrogate(c)) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else sb.Append(c);
                        break;
                }
            }
            sb.Append('"');
        }
    }

    /// <summary>Enums on the wire: the <c>[EnumMember]</c> value of each member.</summary>
    internal static class WireEnum
    {
        private static readonly ConcurrentDictionary<Type, KeyValuePair<Dictionary<string, object>, Dictionary<object, string>>> Tables =
            new ConcurrentDictionary<Type, KeyValuePair<Dictionary<string, object>, Dictionary<object, string>>>();

        private static KeyValuePair<Dictionary<string, object>, Dictionary<object, string>> Table(Type type) =>
            Tables.GetOrAdd(type, t =>
            {
                var from = new Dictionary<string, object>(StringComparer.Ordinal);
                var to = new Dictionary<object, string>();
                foreach (var field in t.GetFields(BindingFlags.Public | BindingFlags.Static))
                {
                    var wire = field.GetCustomAttribute<EnumMemberAttribute>()?.Value ?? field.Name;
                    var value = field.GetValue(null);
                    from[wire] = value;
                    to[value] = wire;
                }
                return new KeyValuePair<Dictionary<string, object>, Dictionary<object, string>>(from, to);
            });

        internal static string ToWire<T>(T value) where T : struct
        {
            string wire;
            if (Table(typeof(T)).Value.TryGetValue(value, out wire)) return wire;
            throw new PostQValidationException(typeof(T).Name + " has no value " + value);
        }

        internal static string ToWireOrNull<T>(T? value) where T : struct => value.HasValue ? ToWire(value.Value) : null;

        internal static T Parse<T>(string wire) where T : struct
        {
            object value;
            if (wire != null && Table(typeof(T)).Key.TryGetValue(wire, out value)) return (T)value;
            throw new SerializationException(typeof(T).Name + " has no value " + (wire == null ? "null" : "\"" + wire + "\""));
        }

        internal static T? ParseOrNull<T>(string wire) where T : struct => wire == null ? (T?)null : Parse<T>(wire);

        internal static List<string> ToWireList<T>(List<T> values) where T : struct => values?.Select(ToWire).ToList();

        internal static List<T> FromWireList<T>(List<string> values) where T : struct => values?.Select(Parse<T>).ToList();
    }

    /// <summary>How models show their fields in <c>ToString()</c>.</summary>
    internal static class ModelText
    {
        internal static string Of(object value)
        {
            if (value == null) return "null";
            if (value is string s) return "\"" + s + "\"";
            if (value is bool b) return b ? "true" : "false";
            if (value is IDictionary<string, object> free) return JsonTree.Write(free);
            if (value is IDictionary dict) return "{" + string.Join(", ", dict.Keys.Cast<object>().Select(k => Of(k) + ": " + Of(dict[k]))) + "}";
            if (value is IEnumerable list) return "[" + string.Join(", ", list.Cast<object>().Select(Of)) + "]";
            if (value is IFormattable f) return f.ToString(null, CultureInfo.InvariantCulture);
            return value.ToString();
        }
    }
}
