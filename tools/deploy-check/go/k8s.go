package main

// Kubernetes objects, checked offline the way the API server would take them.
//
// Why this and not kubeconform: kubeconform (and kubeval) validate against JSON schemas that they download
// from the internet, which these machines cannot reach; a vendored schema set is megabytes of generated JSON
// per Kubernetes version. Here each object is decoded by apimachinery's own serializer in strict mode into the
// official k8s.io/api Go types: the decoder the API server runs with `fieldValidation=Strict` (kubectl's
// default `--validate=strict`). An unknown or misspelt field, a duplicate key, a string where a number belongs
// or an unparsable quantity is an error, case-sensitively. The checks the API server adds on top live in
// k8s.io/kubernetes (not importable as a library); the ones below reuse apimachinery's validators for what
// they cover (names, labels, annotations, selectors, port and variable names) and add the few structural
// rules that matter for these manifests (selector matches template, probe ports exist, requests within
// limits, HPA bounds, PDB fields). Last, every reference between objects must resolve: ConfigMaps and
// Secrets a pod uses, an HPA's target, the pods a Service or PodDisruptionBudget selects, a Service's named
// target ports. Objects created out of band (Secrets made with kubectl) are named with --external.

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	kjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

type k8sObject struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Namespace  string   `json:"namespace,omitempty"`
	Name       string   `json:"name"`
	Problems   []string `json:"problems"`
	decoded    runtime.Object
}

type k8sReport struct {
	Valid bool         `json:"valid"`
	Count int          `json:"count"`
	Items []*k8sObject `json:"objects"`
	// Problems between objects: references that do not resolve.
	References []string `json:"references"`
}

func (o *k8sObject) id() string {
	if o.Namespace == "" {
		return o.Kind + "/" + o.Name
	}
	return o.Kind + "/" + o.Namespace + "/" + o.Name
}

func (o *k8sObject) add(errs field.ErrorList) {
	for _, e := range errs {
		o.Problems = append(o.Problems, e.Error())
	}
}

func newScheme() (*runtime.Scheme, error) {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, autoscalingv2.AddToScheme, policyv1.AddToScheme,
		networkingv1.AddToScheme, batchv1.AddToScheme, rbacv1.AddToScheme,
	} {
		if err := add(scheme); err != nil {
			return nil, err
		}
	}
	return scheme, nil
}

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func runK8s(args []string, in io.Reader) (any, bool, error) {
	fs := flag.NewFlagSet("k8s", flag.ContinueOnError)
	var external stringList
	fs.Var(&external, "external", "kind/name of an object made out of band (repeatable), e.g. Secret/provider-keys")
	if err := fs.Parse(args); err != nil {
		return nil, false, err
	}
	scheme, err := newScheme()
	if err != nil {
		return nil, false, err
	}
	decoder := kjson.NewSerializerWithOptions(kjson.DefaultMetaFactory, scheme, scheme,
		kjson.SerializerOptions{Yaml: true, Strict: true})

	report := &k8sReport{Items: []*k8sObject{}, References: []string{}}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(in))
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, false, fmt.Errorf("reading YAML: %w", err)
		}
		if len(bytes.TrimSpace(doc)) == 0 || isOnlyComments(doc) {
			continue
		}
		report.Items = append(report.Items, checkDocument(doc, decoder, scheme))
	}
	report.Count = len(report.Items)
	report.References = checkReferences(report.Items, external)
	report.Valid = len(report.References) == 0 && report.Count > 0
	for _, o := range report.Items {
		if len(o.Problems) > 0 {
			report.Valid = false
		}
	}
	return report, report.Valid, nil
}

func isOnlyComments(doc []byte) bool {
	for _, line := range strings.Split(string(doc), "\n") {
		t := strings.TrimSpace(line)
		if t != "" && !strings.HasPrefix(t, "#") && t != "---" {
			return false
		}
	}
	return true
}

func checkDocument(doc []byte, decoder runtime.Decoder, scheme *runtime.Scheme) *k8sObject {
	var head struct {
		APIVersion string            `json:"apiVersion"`
		Kind       string            `json:"kind"`
		Metadata   metav1.ObjectMeta `json:"metadata"`
	}
	o := &k8sObject{Problems: []string{}}
	if err := sigsyaml.Unmarshal(doc, &head); err != nil {
		o.Problems = append(o.Problems, "not a Kubernetes object: "+err.Error())
		return o
	}
	o.APIVersion, o.Kind, o.Name, o.Namespace = head.APIVersion, head.Kind, head.Metadata.Name, head.Metadata.Namespace
	if crd, ok := customResources[head.APIVersion+" "+head.Kind]; ok {
		o.Problems = append(o.Problems, checkCustomResource(doc, crd)...)
		return o
	}
	obj, gvk, err := decoder.Decode(doc, nil, nil)
	if err != nil {
		// A strict decoding error still returns the object: report every unknown or duplicate field.
		o.Problems = append(o.Problems, err.Error())
		if obj == nil || !runtime.IsStrictDecodingError(err) {
			return o
		}
	}
	if gvk != nil && !scheme.Recognizes(*gvk) {
		o.Problems = append(o.Problems, "kind not known to deploy-check: "+gvk.String())
		return o
	}
	o.decoded = obj
	o.add(checkObject(obj))
	return o
}

// Structural checks per kind; names follow the API server's (metadata.name, spec.template.spec...).
func checkObject(obj runtime.Object) field.ErrorList {
	var errs field.ErrorList
	meta := field.NewPath("metadata")
	switch t := obj.(type) {
	case *corev1.Namespace:
		errs = append(errs, apivalidation.ValidateObjectMeta(&t.ObjectMeta, false, apivalidation.ValidateNamespaceName, meta)...)
	case *corev1.Service:
		errs = append(errs, apivalidation.ValidateObjectMeta(&t.ObjectMeta, true, apivalidation.NameIsDNS1035Label, meta)...)
		errs = append(errs, checkService(t)...)
	case *corev1.ConfigMap:
		errs = append(errs, namespaced(&t.ObjectMeta)...)
		for k := range t.Data {
			for _, msg := range validation.IsConfigMapKey(k) {
				errs = append(errs, field.Invalid(field.NewPath("data").Key(k), k, msg))
			}
		}
	case *corev1.Secret:
		errs = append(errs, namespaced(&t.ObjectMeta)...)
		for k := range t.StringData {
			for _, msg := range validation.IsConfigMapKey(k) {
				errs = append(errs, field.Invalid(field.NewPath("stringData").Key(k), k, msg))
			}
		}
	case *appsv1.Deployment:
		errs = append(errs, namespaced(&t.ObjectMeta)...)
		errs = append(errs, checkWorkload(t.Spec.Selector, &t.Spec.Template, t.Spec.Replicas, field.NewPath("spec"))...)
	case *appsv1.StatefulSet:
		errs = append(errs, namespaced(&t.ObjectMeta)...)
		claims := make([]string, 0, len(t.Spec.VolumeClaimTemplates))
		for _, pvc := range t.Spec.VolumeClaimTemplates {
			claims = append(claims, pvc.Name)
		}
		errs = append(errs, checkWorkload(t.Spec.Selector, &t.Spec.Template, t.Spec.Replicas, field.NewPath("spec"), claims...)...)
		for i, pvc := range t.Spec.VolumeClaimTemplates {
			p := field.NewPath("spec", "volumeClaimTemplates").Index(i)
			if len(pvc.Spec.AccessModes) == 0 {
				errs = append(errs, field.Required(p.Child("spec", "accessModes"), ""))
			}
			if _, ok := pvc.Spec.Resources.Requests[corev1.ResourceStorage]; !ok {
				errs = append(errs, field.Required(p.Child("spec", "resources", "requests", "storage"), ""))
			}
		}
	case *autoscalingv2.HorizontalPodAutoscaler:
		errs = append(errs, namespaced(&t.ObjectMeta)...)
		errs = append(errs, checkHPA(t)...)
	case *policyv1.PodDisruptionBudget:
		errs = append(errs, namespaced(&t.ObjectMeta)...)
		spec := field.NewPath("spec")
		if (t.Spec.MinAvailable == nil) == (t.Spec.MaxUnavailable == nil) {
			errs = append(errs, field.Invalid(spec, "", "exactly one of minAvailable and maxUnavailable"))
		}
		errs = append(errs, selector(t.Spec.Selector, spec.Child("selector"))...)
	default:
		if m, err := metaOf(obj); err == nil {
			errs = append(errs, namespaced(m)...)
		}
	}
	return errs
}

func metaOf(obj runtime.Object) (*metav1.ObjectMeta, error) {
	type hasMeta interface{ GetObjectMeta() metav1.Object }
	if h, ok := obj.(hasMeta); ok {
		if m, ok := h.GetObjectMeta().(*metav1.ObjectMeta); ok {
			return m, nil
		}
	}
	return nil, errors.New("no metadata")
}

// Rendered manifests carry their namespace (kustomize's `namespace:`), so it is required here.
func namespaced(m *metav1.ObjectMeta) field.ErrorList {
	return apivalidation.ValidateObjectMeta(m, true, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
}

func selector(s *metav1.LabelSelector, p *field.Path) field.ErrorList {
	if s == nil {
		return field.ErrorList{field.Required(p, "")}
	}
	errs := metav1validation.ValidateLabelSelector(s, metav1validation.LabelSelectorValidationOptions{}, p)
	if len(s.MatchLabels) == 0 && len(s.MatchExpressions) == 0 {
		errs = append(errs, field.Invalid(p, "{}", "an empty selector selects every pod"))
	}
	return errs
}

// claims: a StatefulSet's volumeClaimTemplates, which its containers mount as volumes.
func checkWorkload(sel *metav1.LabelSelector, tmpl *corev1.PodTemplateSpec, replicas *int32, spec *field.Path, claims ...string) field.ErrorList {
	errs := selector(sel, spec.Child("selector"))
	errs = append(errs, metav1validation.ValidateLabels(tmpl.Labels, spec.Child("template", "metadata", "labels"))...)
	errs = append(errs, apivalidation.ValidateAnnotations(tmpl.Annotations, spec.Child("template", "metadata", "annotations"))...)
	if s, err := metav1.LabelSelectorAsSelector(sel); sel != nil && err == nil && !s.Matches(labels.Set(tmpl.Labels)) {
		errs = append(errs, field.Invalid(spec.Child("template", "metadata", "labels"), tmpl.Labels,
			"`selector` does not match template `labels`"))
	}
	if replicas != nil && *replicas < 0 {
		errs = append(errs, field.Invalid(spec.Child("replicas"), *replicas, "must be >= 0"))
	}
	return append(errs, checkPodSpec(&tmpl.Spec, tmpl.Labels, spec.Child("template", "spec"), claims)...)
}

func checkPodSpec(pod *corev1.PodSpec, podLabels map[string]string, p *field.Path, claims []string) field.ErrorList {
	var errs field.ErrorList
	volumes := map[string]bool{}
	for _, c := range claims {
		volumes[c] = true
	}
	for i, v := range pod.Volumes {
		for _, msg := range validation.IsDNS1123Label(v.Name) {
			errs = append(errs, field.Invalid(p.Child("volumes").Index(i).Child("name"), v.Name, msg))
		}
		if volumes[v.Name] {
			errs = append(errs, field.Duplicate(p.Child("volumes").Index(i).Child("name"), v.Name))
		}
		volumes[v.Name] = true
	}
	names := map[string]bool{}
	all := append(append([]corev1.Container{}, pod.InitContainers...), pod.Containers...)
	if len(pod.Containers) == 0 {
		errs = append(errs, field.Required(p.Child("containers"), ""))
	}
	for i, c := range all {
		cp := p.Child("containers").Index(i)
		if i < len(pod.InitContainers) {
			cp = p.Child("initContainers").Index(i)
		}
		for _, msg := range validation.IsDNS1123Label(c.Name) {
			errs = append(errs, field.Invalid(cp.Child("name"), c.Name, msg))
		}
		if names[c.Name] {
			errs = append(errs, field.Duplicate(cp.Child("name"), c.Name))
		}
		names[c.Name] = true
		if strings.TrimSpace(c.Image) == "" {
			errs = append(errs, field.Required(cp.Child("image"), ""))
		}
		errs = append(errs, checkContainer(&c, volumes, cp)...)
	}
	for i, t := range pod.TopologySpreadConstraints {
		tp := p.Child("topologySpreadConstraints").Index(i)
		if t.MaxSkew <= 0 {
			errs = append(errs, field.Invalid(tp.Child("maxSkew"), t.MaxSkew, "must be greater than zero"))
		}
		if t.TopologyKey == "" {
			errs = append(errs, field.Required(tp.Child("topologyKey"), ""))
		}
		switch t.WhenUnsatisfiable {
		case corev1.DoNotSchedule, corev1.ScheduleAnyway:
		default:
			errs = append(errs, field.NotSupported(tp.Child("whenUnsatisfiable"), t.WhenUnsatisfiable,
				[]string{string(corev1.DoNotSchedule), string(corev1.ScheduleAnyway)}))
		}
		if t.LabelSelector != nil {
			errs = append(errs, selector(t.LabelSelector, tp.Child("labelSelector"))...)
			if s, err := metav1.LabelSelectorAsSelector(t.LabelSelector); err == nil && !s.Matches(labels.Set(podLabels)) {
				errs = append(errs, field.Invalid(tp.Child("labelSelector"), t.LabelSelector,
					"does not select this pod: the constraint would spread nothing"))
			}
		}
	}
	if pod.TerminationGracePeriodSeconds != nil && *pod.TerminationGracePeriodSeconds < 0 {
		errs = append(errs, field.Invalid(p.Child("terminationGracePeriodSeconds"), *pod.TerminationGracePeriodSeconds, "must be >= 0"))
	}
	return errs
}

func checkContainer(c *corev1.Container, volumes map[string]bool, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	ports := map[string]bool{}
	for i, port := range c.Ports {
		pp := p.Child("ports").Index(i)
		for _, msg := range validation.IsValidPortNum(int(port.ContainerPort)) {
			errs = append(errs, field.Invalid(pp.Child("containerPort"), port.ContainerPort, msg))
		}
		if port.Name != "" {
			for _, msg := range validation.IsValidPortName(port.Name) {
				errs = append(errs, field.Invalid(pp.Child("name"), port.Name, msg))
			}
			ports[port.Name] = true
		}
	}
	for i, e := range c.Env {
		for _, msg := range validation.IsEnvVarName(e.Name) {
			errs = append(errs, field.Invalid(p.Child("env").Index(i).Child("name"), e.Name, msg))
		}
		if e.Value != "" && e.ValueFrom != nil {
			errs = append(errs, field.Invalid(p.Child("env").Index(i), e.Name, "value and valueFrom are exclusive"))
		}
	}
	for i, m := range c.VolumeMounts {
		if !volumes[m.Name] {
			errs = append(errs, field.NotFound(p.Child("volumeMounts").Index(i).Child("name"), m.Name))
		}
		if !strings.HasPrefix(m.MountPath, "/") {
			errs = append(errs, field.Invalid(p.Child("volumeMounts").Index(i).Child("mountPath"), m.MountPath, "must be absolute"))
		}
	}
	for name, probe := range map[string]*corev1.Probe{"livenessProbe": c.LivenessProbe, "readinessProbe": c.ReadinessProbe, "startupProbe": c.StartupProbe} {
		if probe == nil {
			continue
		}
		pp := p.Child(name)
		handlers := 0
		var port *intstr.IntOrString
		if probe.HTTPGet != nil {
			handlers++
			port = &probe.HTTPGet.Port
			if !strings.HasPrefix(probe.HTTPGet.Path, "/") {
				errs = append(errs, field.Invalid(pp.Child("httpGet", "path"), probe.HTTPGet.Path, "must start with /"))
			}
		}
		if probe.TCPSocket != nil {
			handlers++
			port = &probe.TCPSocket.Port
		}
		if probe.Exec != nil {
			handlers++
			if len(probe.Exec.Command) == 0 {
				errs = append(errs, field.Required(pp.Child("exec", "command"), ""))
			}
		}
		if probe.GRPC != nil {
			handlers++
		}
		if handlers != 1 {
			errs = append(errs, field.Invalid(pp, handlers, "exactly one handler (httpGet, tcpSocket, exec, grpc)"))
		}
		if port != nil && port.Type == intstr.String && !ports[port.StrVal] {
			errs = append(errs, field.NotFound(pp.Child("port"), port.StrVal))
		}
		if name == "livenessProbe" && probe.SuccessThreshold > 1 {
			errs = append(errs, field.Invalid(pp.Child("successThreshold"), probe.SuccessThreshold, "must be 1"))
		}
	}
	for resource, limit := range c.Resources.Limits {
		if request, ok := c.Resources.Requests[resource]; ok && request.Cmp(limit) > 0 {
			errs = append(errs, field.Invalid(p.Child("resources", "requests").Key(string(resource)), request.String(),
				"must be less than or equal to "+string(resource)+" limit of "+limit.String()))
		}
	}
	return errs
}

func checkService(s *corev1.Service) field.ErrorList {
	var errs field.ErrorList
	p := field.NewPath("spec")
	if len(s.Spec.Ports) == 0 && s.Spec.ClusterIP != corev1.ClusterIPNone {
		errs = append(errs, field.Required(p.Child("ports"), ""))
	}
	for i, port := range s.Spec.Ports {
		pp := p.Child("ports").Index(i)
		if len(s.Spec.Ports) > 1 && port.Name == "" {
			errs = append(errs, field.Required(pp.Child("name"), "when more than one port is given"))
		}
		if port.Name != "" {
			for _, msg := range validation.IsDNS1123Label(port.Name) {
				errs = append(errs, field.Invalid(pp.Child("name"), port.Name, msg))
			}
		}
		for _, msg := range validation.IsValidPortNum(int(port.Port)) {
			errs = append(errs, field.Invalid(pp.Child("port"), port.Port, msg))
		}
		if port.TargetPort.Type == intstr.String {
			for _, msg := range validation.IsValidPortName(port.TargetPort.StrVal) {
				errs = append(errs, field.Invalid(pp.Child("targetPort"), port.TargetPort.StrVal, msg))
			}
		}
	}
	errs = append(errs, metav1validation.ValidateLabels(s.Spec.Selector, p.Child("selector"))...)
	return errs
}

func checkHPA(h *autoscalingv2.HorizontalPodAutoscaler) field.ErrorList {
	var errs field.ErrorList
	p := field.NewPath("spec")
	min := int32(1)
	if h.Spec.MinReplicas != nil {
		min = *h.Spec.MinReplicas
	}
	if min < 1 {
		errs = append(errs, field.Invalid(p.Child("minReplicas"), min, "must be at least 1"))
	}
	if h.Spec.MaxReplicas < min {
		errs = append(errs, field.Invalid(p.Child("maxReplicas"), h.Spec.MaxReplicas, "must be at least minReplicas"))
	}
	if h.Spec.ScaleTargetRef.Kind == "" || h.Spec.ScaleTargetRef.Name == "" {
		errs = append(errs, field.Required(p.Child("scaleTargetRef"), "kind and name"))
	}
	for i, m := range h.Spec.Metrics {
		mp := p.Child("metrics").Index(i)
		set := map[autoscalingv2.MetricSourceType]bool{
			autoscalingv2.ResourceMetricSourceType:          m.Resource != nil,
			autoscalingv2.PodsMetricSourceType:              m.Pods != nil,
			autoscalingv2.ObjectMetricSourceType:            m.Object != nil,
			autoscalingv2.ExternalMetricSourceType:          m.External != nil,
			autoscalingv2.ContainerResourceMetricSourceType: m.ContainerResource != nil,
		}
		count := 0
		for _, on := range set {
			if on {
				count++
			}
		}
		if count != 1 || !set[m.Type] {
			errs = append(errs, field.Invalid(mp.Child("type"), m.Type, "must name the one metric source given"))
			continue
		}
		var target autoscalingv2.MetricTarget
		switch m.Type {
		case autoscalingv2.ResourceMetricSourceType:
			target = m.Resource.Target
		case autoscalingv2.PodsMetricSourceType:
			target = m.Pods.Target
			if m.Pods.Metric.Name == "" {
				errs = append(errs, field.Required(mp.Child("pods", "metric", "name"), ""))
			}
		case autoscalingv2.ObjectMetricSourceType:
			target = m.Object.Target
		case autoscalingv2.ExternalMetricSourceType:
			target = m.External.Target
		case autoscalingv2.ContainerResourceMetricSourceType:
			target = m.ContainerResource.Target
		}
		switch target.Type {
		case autoscalingv2.UtilizationMetricType:
			if target.AverageUtilization == nil || *target.AverageUtilization <= 0 {
				errs = append(errs, field.Required(mp.Child("target", "averageUtilization"), "a positive percentage"))
			}
		case autoscalingv2.AverageValueMetricType:
			if target.AverageValue == nil || target.AverageValue.Sign() <= 0 {
				errs = append(errs, field.Required(mp.Child("target", "averageValue"), "a positive quantity"))
			}
		case autoscalingv2.ValueMetricType:
			if target.Value == nil || target.Value.Sign() <= 0 {
				errs = append(errs, field.Required(mp.Child("target", "value"), "a positive quantity"))
			}
		default:
			errs = append(errs, field.NotSupported(mp.Child("target", "type"), target.Type,
				[]string{"Utilization", "Value", "AverageValue"}))
		}
	}
	return errs
}

// References between objects: what a pod mounts or reads, what an HPA scales, what a Service or PDB selects.
func checkReferences(items []*k8sObject, external []string) []string {
	exists := map[string]bool{}
	for _, e := range external {
		exists[e] = true
	}
	configMaps := map[string]*corev1.ConfigMap{}
	type podOwner struct {
		id     string
		labels map[string]string
		spec   *corev1.PodSpec
	}
	var pods []podOwner
	for _, o := range items {
		exists[o.Kind+"/"+o.Name] = true
		switch t := o.decoded.(type) {
		case *corev1.ConfigMap:
			configMaps[t.Name] = t
		case *appsv1.Deployment:
			pods = append(pods, podOwner{o.id(), t.Spec.Template.Labels, &t.Spec.Template.Spec})
		case *appsv1.StatefulSet:
			pods = append(pods, podOwner{o.id(), t.Spec.Template.Labels, &t.Spec.Template.Spec})
		}
	}
	problems := []string{}
	missing := func(from, kind, name string) {
		if !exists[kind+"/"+name] {
			problems = append(problems, fmt.Sprintf("%s: %s/%s does not exist (render it, or name it with --external)", from, kind, name))
		}
	}
	for _, o := range items {
		if o.Namespace != "" {
			missing(o.id(), "Namespace", o.Namespace)
		}
	}
	for _, pod := range pods {
		for _, v := range pod.spec.Volumes {
			if v.ConfigMap != nil && (v.ConfigMap.Optional == nil || !*v.ConfigMap.Optional) {
				missing(pod.id, "ConfigMap", v.ConfigMap.Name)
				if cm := configMaps[v.ConfigMap.Name]; cm != nil {
					for _, item := range v.ConfigMap.Items {
						if _, ok := cm.Data[item.Key]; !ok {
							problems = append(problems, fmt.Sprintf("%s: volume %s mounts key %q that ConfigMap/%s lacks", pod.id, v.Name, item.Key, cm.Name))
						}
					}
				}
			}
			if v.Secret != nil && (v.Secret.Optional == nil || !*v.Secret.Optional) {
				missing(pod.id, "Secret", v.Secret.SecretName)
			}
		}
		for _, c := range append(append([]corev1.Container{}, pod.spec.InitContainers...), pod.spec.Containers...) {
			for _, from := range c.EnvFrom {
				if from.ConfigMapRef != nil && (from.ConfigMapRef.Optional == nil || !*from.ConfigMapRef.Optional) {
					missing(pod.id, "ConfigMap", from.ConfigMapRef.Name)
				}
				if from.SecretRef != nil && (from.SecretRef.Optional == nil || !*from.SecretRef.Optional) {
					missing(pod.id, "Secret", from.SecretRef.Name)
				}
			}
			for _, e := range c.Env {
				if e.ValueFrom == nil {
					continue
				}
				if r := e.ValueFrom.ConfigMapKeyRef; r != nil && (r.Optional == nil || !*r.Optional) {
					missing(pod.id, "ConfigMap", r.Name)
					if cm := configMaps[r.Name]; cm != nil {
						if _, ok := cm.Data[r.Key]; !ok {
							problems = append(problems, fmt.Sprintf("%s: env %s reads key %q that ConfigMap/%s lacks", pod.id, e.Name, r.Key, r.Name))
						}
					}
				}
				if r := e.ValueFrom.SecretKeyRef; r != nil && (r.Optional == nil || !*r.Optional) {
					missing(pod.id, "Secret", r.Name)
				}
			}
		}
	}
	selects := func(sel labels.Selector) []podOwner {
		var found []podOwner
		for _, pod := range pods {
			if sel.Matches(labels.Set(pod.labels)) {
				found = append(found, pod)
			}
		}
		return found
	}
	for _, o := range items {
		switch t := o.decoded.(type) {
		case *autoscalingv2.HorizontalPodAutoscaler:
			missing(o.id(), t.Spec.ScaleTargetRef.Kind, t.Spec.ScaleTargetRef.Name)
		case *policyv1.PodDisruptionBudget:
			if sel, err := metav1.LabelSelectorAsSelector(t.Spec.Selector); err == nil && len(selects(sel)) == 0 {
				problems = append(problems, o.id()+": selects no pods")
			}
		case *corev1.Service:
			if len(t.Spec.Selector) == 0 {
				continue
			}
			found := selects(labels.SelectorFromSet(t.Spec.Selector))
			if len(found) == 0 {
				problems = append(problems, o.id()+": selects no pods")
			}
			for _, port := range t.Spec.Ports {
				if port.TargetPort.Type != intstr.String {
					continue
				}
				for _, pod := range found {
					if !hasPortNamed(pod.spec, port.TargetPort.StrVal) {
						problems = append(problems, fmt.Sprintf("%s: targetPort %q is no container port of %s", o.id(), port.TargetPort.StrVal, pod.id))
					}
				}
			}
		}
	}
	sort.Strings(problems)
	return problems
}

func hasPortNamed(pod *corev1.PodSpec, name string) bool {
	for _, c := range pod.Containers {
		for _, p := range c.Ports {
			if p.Name == name {
				return true
			}
		}
	}
	return false
}

// Custom resources (Prometheus Operator): no Go types are vendored for them; their apiVersion, kind, name and
// the fields the operator requires are checked.
type customResource func(spec map[string]any) []string

var customResources = map[string]customResource{
	"monitoring.coreos.com/v1 ServiceMonitor": func(spec map[string]any) []string {
		var problems []string
		if _, ok := spec["selector"].(map[string]any); !ok {
			problems = append(problems, "spec.selector: Required value")
		}
		endpoints, _ := spec["endpoints"].([]any)
		if len(endpoints) == 0 {
			problems = append(problems, "spec.endpoints: Required value")
		}
		for i, e := range endpoints {
			m, _ := e.(map[string]any)
			if m["port"] == nil && m["targetPort"] == nil {
				problems = append(problems, fmt.Sprintf("spec.endpoints[%d]: port or targetPort required", i))
			}
		}
		return problems
	},
	"monitoring.coreos.com/v1 PodMonitor": func(spec map[string]any) []string {
		var problems []string
		if _, ok := spec["selector"].(map[string]any); !ok {
			problems = append(problems, "spec.selector: Required value")
		}
		if endpoints, _ := spec["podMetricsEndpoints"].([]any); len(endpoints) == 0 {
			problems = append(problems, "spec.podMetricsEndpoints: Required value")
		}
		return problems
	},
	"monitoring.coreos.com/v1 PrometheusRule": func(spec map[string]any) []string {
		var problems []string
		groups, _ := spec["groups"].([]any)
		if len(groups) == 0 {
			problems = append(problems, "spec.groups: Required value")
		}
		for i, g := range groups {
			group, _ := g.(map[string]any)
			if name, _ := group["name"].(string); name == "" {
				problems = append(problems, fmt.Sprintf("spec.groups[%d].name: Required value", i))
			}
			rules, _ := group["rules"].([]any)
			for j, r := range rules {
				rule, _ := r.(map[string]any)
				alert, _ := rule["alert"].(string)
				record, _ := rule["record"].(string)
				if (alert == "") == (record == "") {
					problems = append(problems, fmt.Sprintf("spec.groups[%d].rules[%d]: exactly one of alert and record", i, j))
				}
				if expr, ok := rule["expr"]; !ok || expr == "" {
					problems = append(problems, fmt.Sprintf("spec.groups[%d].rules[%d].expr: Required value", i, j))
				}
			}
		}
		return problems
	},
}

func checkCustomResource(doc []byte, check customResource) []string {
	var obj struct {
		Metadata metav1.ObjectMeta `json:"metadata"`
		Spec     map[string]any    `json:"spec"`
	}
	// Non-strict: these kinds have no Go types here to be strict against; what matters is checked below.
	if err := sigsyaml.Unmarshal(doc, &obj); err != nil {
		return []string{err.Error()}
	}
	var problems []string
	for _, e := range namespaced(&obj.Metadata) {
		problems = append(problems, e.Error())
	}
	if obj.Spec == nil {
		return append(problems, "spec: Required value")
	}
	return append(problems, check(obj.Spec)...)
}
