using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Serialization;
using System.Runtime.Serialization.Json;
using System.Text;
using System.Xml;
using System.Xml.Linq;

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
    /// or string map is a private JSON-text twin: reading swaps the raw value for its text first
    /// (<see cref="JsonText"/>), writing swaps it back in the serializer's JSON infoset.
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

        private static DataContractJsonSerializer For(Type type) =>
            Serializers.GetOrAdd(type, t => new DataContractJsonSerializer(t, Settings));

        /// <summary>A model as UTF-8 JSON.</summary>
        internal static byte[] Serialize<T>(T value)
        {
            var serializer = For(typeof(T));
            using (var stream = new MemoryStream())
            {
                if (!HasFreeForm(typeof(T)))
                {
                    serializer.WriteObject(stream, value);
                    return stream.ToArray();
                }
                var doc = new XDocument();
                using (var writer = doc.CreateWriter()) serializer.WriteObject(writer, value);
                Walk(doc.Root, typeof(T));
                using (var json = JsonReaderWriterFactory.CreateJsonWriter(stream, Encoding.UTF8, false))
                {
                    doc.Root.WriteTo(json);
                }
                return stream.ToArray();
            }
        }

        /// <summary>A model from JSON text (what the library returns).</summary>
        internal static T Deserialize<T>(string text)
        {
            try
            {
                var bytes = Encoding.UTF8.GetBytes(text);
                var serializer = For(typeof(T));
                if (!HasFreeForm(typeof(T)))
                {
                    using (var stream = new MemoryStream(bytes)) return (T)serializer.ReadObject(stream);
                }
                // Free-form values become their JSON text (the twin property's string), then the
                // serializer reads the rewritten document.
                var tree = JsonText.Parse(text);
                tree = WalkTree(tree, typeof(T));
                using (var stream = new MemoryStream(Encoding.UTF8.GetBytes(JsonTree.Write(tree)))) return (T)serializer.ReadObject(stream);
            }
            catch (Exception e) when (e is SerializationException || e is XmlException || e is InvalidCastException || e is FormatException)
            {
                throw new PostQException("postq returned JSON this binding cannot read: " + e.Message, null, "invalid_response", null, e);
            }
        }

        /// <summary>An infoset element (any JSON value) as JSON text.</summary>
        internal static string Text(XElement element)
        {
            var root = new XElement("root", element.Attributes().Where(a => a.Name == "type"), element.Nodes());
            using (var stream = new MemoryStream())
            {
                using (var json = JsonReaderWriterFactory.CreateJsonWriter(stream, Encoding.UTF8, false)) root.WriteTo(json);
                return Encoding.UTF8.GetString(stream.ToArray());
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

        private static string Key(XElement element) => (string)element.Attribute("item") ?? element.Name.LocalName;

        // Writing: each free-form twin's JSON text (what the private property holds)
        // becomes the raw JSON value on the wire again, guided by the model type.
        private static void Walk(XElement element, Type type)
        {
            if (element == null || (string)element.Attribute("type") == "null") return;
            var item = Element(type);
            if (item != null)
            {
                foreach (var child in element.Elements()) Walk(child, item);
                return;
            }
            if (type.GetCustomAttribute<DataContractAttribute>() == null) return;
            foreach (var member in Members(type))
            {
                var name = member.GetCustomAttribute<DataMemberAttribute>().Name ?? member.Name;
                var child = element.Elements().FirstOrDefault(e => Key(e) == name);
                if (child == null) continue;
                if (member.GetCustomAttribute<FreeFormJsonAttribute>() == null)
                {
                    Walk(child, member.PropertyType);
                }
                else if ((string)child.Attribute("type") != "null")
                {
                    ExpandText(child);
                }
            }
        }

        // The reading twin of Walk over parsed values: free-form members become JSON text.
        private static object WalkTree(object value, Type type)
        {
            if (value == null) return null;
            var item = Element(type);
            if (item != null)
            {
                if (value is List<object> list) return list.Select(v => WalkTree(v, item)).ToList();
                if (value is Dictionary<string, object> entries) return entries.ToDictionary(kv => kv.Key, kv => WalkTree(kv.Value, item), StringComparer.Ordinal);
                return value;
            }
            var map = value as Dictionary<string, object>;
            if (map == null || type.GetCustomAttribute<DataContractAttribute>() == null) return value;
            foreach (var member in Members(type))
            {
                var name = member.GetCustomAttribute<DataMemberAttribute>().Name ?? member.Name;
                object child;
                if (!map.TryGetValue(name, out child) || child == null) continue;
                map[name] = member.GetCustomAttribute<FreeFormJsonAttribute>() == null ? WalkTree(child, member.PropertyType) : JsonTree.Write(child);
            }
            return map;
        }

        private static void ExpandText(XElement element)
        {
            var parsed = JsonTree.ToElement("root", JsonText.Parse(element.Value));
            element.RemoveNodes();
            element.SetAttributeValue("type", (string)parsed.Attribute("type"));
            element.Add(parsed.Nodes());
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
            return Json.Text(ToElement("root", value));
        }

        private static XElement Named(string key)
        {
            if (key == null) throw new PostQValidationException("JSON object keys must not be null");
            if (key.Length > 0)
            {
                try
                {
                    return new XElement(XmlConvert.VerifyNCName(key));
                }
                catch (XmlException)
                {
                    // not an XML name: the item form below
                }
            }
            // Keys that are not XML names (or empty): the infoset's <a:item item="key"> form.
            XNamespace ns = "item";
            return new XElement(ns + "item", new XAttribute(XNamespace.Xmlns + "a", "item"), new XAttribute("item", key));
        }

        internal static XElement ToElement(string key, object value)
        {
            var e = key == "root" ? new XElement("root") : Named(key);
            if (value == null)
            {
                e.SetAttributeValue("type", "null");
                return e;
            }
            if (value is string s)
            {
                e.SetAttributeValue("type", "string");
                e.Value = s;
                return e;
            }
            if (value is bool b)
            {
                e.SetAttributeValue("type", "boolean");
                e.Value = b ? "true" : "false";
                return e;
            }
            if (value is IDictionary<string, object> map)
            {
                e.SetAttributeValue("type", "object");
                foreach (var kv in map) e.Add(ToElement(kv.Key, kv.Value));
                return e;
            }
            if (value is IDictionary dict)
            {
                e.SetAttributeValue("type", "object");
                foreach (DictionaryEntry kv in dict) e.Add(ToElement(Convert.ToString(kv.Key, CultureInfo.InvariantCulture), kv.Value));
                return e;
            }
            if (value is IEnumerable list)
            {
                e.SetAttributeValue("type", "array");
                foreach (var v in list) e.Add(ToElement("item", v));
                return e;
            }
            if (value is double || value is float)
            {
                var d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (double.IsNaN(d) || double.IsInfinity(d)) throw new PostQValidationException("JSON numbers must be finite");
                e.SetAttributeValue("type", "number");
                e.Value = d.ToString("R", CultureInfo.InvariantCulture);
                return e;
            }
            if (value is int || value is long || value is short || value is byte || value is sbyte || value is uint || value is ulong || value is ushort || value is decimal)
            {
                e.SetAttributeValue("type", "number");
                e.Value = Convert.ToString(value, CultureInfo.InvariantCulture);
                return e;
            }
            throw new PostQValidationException("a free-form JSON value cannot be a " + value.GetType().Name
                + " (use strings, numbers, booleans, null, dictionaries and lists)");
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
