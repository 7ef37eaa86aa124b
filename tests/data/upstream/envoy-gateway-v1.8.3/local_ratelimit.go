// Copyright Envoy Gateway Authors
// SPDX-License-Identifier: Apache-2.0
// The full text of the Apache license is available in the LICENSE file at
// the root of the repo.

package translator

import (
	"errors"
	"fmt"

	configv3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	rlv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/common/ratelimit/v3"
	localrlv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/local_ratelimit/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/wrapperspb"
	"k8s.io/utils/ptr"

	egv1a1 "github.com/envoyproxy/gateway/api/v1alpha1"
	"github.com/envoyproxy/gateway/internal/ir"
	"github.com/envoyproxy/gateway/internal/utils/ratelimit"
	"github.com/envoyproxy/gateway/internal/xds/types"
)

const (
	localRateLimitFilterStatPrefix = "http_local_rate_limiter"
)

func init() {
	registerHTTPFilter(&localRateLimit{})
}

type localRateLimit struct{}

var _ httpFilter = &localRateLimit{}

// patchHCM builds and appends the local rate limit filter to the HTTP Connection Manager
// if applicable, and it does not already exist.
func (*localRateLimit) patchHCM(mgr *hcmv3.HttpConnectionManager, irListener *ir.HTTPListener) error {
	if mgr == nil {
		return errors.New("hcm is nil")
	}
	if irListener == nil {
		return errors.New("ir listener is nil")
	}
	if !listenerContainsLocalRateLimit(irListener) {
		return nil
	}

	// Return early if filter already exists.
	for _, httpFilter := range mgr.HttpFilters {
		if httpFilter.Name == egv1a1.EnvoyFilterLocalRateLimit.String() {
			return nil
		}
	}

	localRl := &localrlv3.LocalRateLimit{
		StatPrefix: localRateLimitFilterStatPrefix,
		MaxDynamicDescriptors: &wrapperspb.UInt32Value{
			Value: 10000,
			// Default to 10k, assuming a listener has 10k unique active users to be rate limited.
			// We can make this configurable in the API if needed.
		},
	}

	localRlAny, err := anypb.New(localRl)
	if err != nil {
		return err
	}

	// The local rate limit filter at the HTTP connection manager level is an
	// empty filter. The real configuration is done at the route level.
	// See https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/local_rate_limit_filter
	filter := &hcmv3.HttpFilter{
		Name: egv1a1.EnvoyFilterLocalRateLimit.String(),
		ConfigType: &hcmv3.HttpFilter_TypedConfig{
			TypedConfig: localRlAny,
		},
	}

	mgr.HttpFilters = append(mgr.HttpFilters, filter)
	return nil
}

func listenerContainsLocalRateLimit(irListener *ir.HTTPListener) bool {
	if irListener == nil {
		return false
	}

	for _, route := range irListener.Routes {
		if routeContainsLocalRateLimit(route) {
			return true
		}
	}

	return false
}

func routeContainsLocalRateLimit(irRoute *ir.HTTPRoute) bool {
	if irRoute == nil ||
		irRoute.Traffic == nil ||
		irRoute.Traffic.RateLimit == nil ||
		irRoute.Traffic.RateLimit.Local == nil {
		return false
	}

	return true
}

func (*localRateLimit) patchResources(*types.ResourceVersionTable,
	[]*ir.HTTPRoute,
) error {
	return nil
}

func (*localRateLimit) patchRoute(route *routev3.Route, irRoute *ir.HTTPRoute, httpListener *ir.HTTPListener) error {
	routeAction := route.GetRoute()

	// Return early if no rate limit config exists.
	if !routeContainsLocalRateLimit(irRoute) || routeAction == nil {
		return nil
	}

	if routeAction.RateLimits != nil {
		// This should not happen since this is the only place where the rate limit
		// config is added in a route.
		return fmt.Errorf(
			"route already contains rate limit config:  %s",
			route.Name)
	}

	local := irRoute.Traffic.RateLimit.Local

	rateLimits, descriptors := buildRouteLocalRateLimits(local)

	filterCfg := route.GetTypedPerFilterConfig()
	if _, ok := filterCfg[egv1a1.EnvoyFilterLocalRateLimit.String()]; ok {
		// This should not happen since this is the only place where the filter
		// config is added in a route.
		return fmt.Errorf(
			"route already contains local rate limit filter config:  %s",
			route.Name)
	}

	enableXRatelimitHeaders := rlv3.XRateLimitHeadersRFCVersion_DRAFT_VERSION_03
	if ptr.Deref(local.DefaultXRateLimitOption, egv1a1.XRateLimitHeadersOptionDraftVersion03) == egv1a1.XRateLimitHeadersOptionDisabled {
		enableXRatelimitHeaders = rlv3.XRateLimitHeadersRFCVersion_OFF
	}

	localRl := &localrlv3.LocalRateLimit{
		StatPrefix: localRateLimitFilterStatPrefix,
		TokenBucket: &typev3.TokenBucket{
			MaxTokens: local.Default.Requests,
			TokensPerFill: &wrapperspb.UInt32Value{
				Value: local.Default.Requests,
			},
			FillInterval: ratelimit.UnitToDuration(local.Default.Unit),
		},
		FilterEnabled: &configv3.RuntimeFractionalPercent{
			DefaultValue: &typev3.FractionalPercent{
				Numerator:   100,
				Denominator: typev3.FractionalPercent_HUNDRED,
			},
		},
		FilterEnforced: &configv3.RuntimeFractionalPercent{
			DefaultValue: &typev3.FractionalPercent{
				Numerator:   100,
				Denominator: typev3.FractionalPercent_HUNDRED,
			},
		},
		EnableXRatelimitHeaders: enableXRatelimitHeaders,
		Descriptors:             descriptors,
		// By setting AlwaysConsumeDefaultTokenBucket to false, the descriptors
		// won't consume the default token bucket. This means that a request only
		// counts towards the default token bucket if it does not match any of the
		// descriptors.
		AlwaysConsumeDefaultTokenBucket: &wrapperspb.BoolValue{
			Value: false,
		},
		RateLimits: rateLimits,
	}
	if httpListener.Headers != nil && httpListener.Headers.DisableRateLimitHeaders {
		localRl.EnableXRatelimitHeaders = rlv3.XRateLimitHeadersRFCVersion_OFF
	}

	localRlAny, err := anypb.New(localRl)
	if err != nil {
		return err
	}

	if filterCfg == nil {
		route.TypedPerFilterConfig = make(map[string]*anypb.Any)
	}

	route.TypedPerFilterConfig[egv1a1.EnvoyFilterLocalRateLimit.String()] = localRlAny
	return nil
}

func buildRouteLocalRateLimits(local *ir.LocalRateLimit) (
	[]*routev3.RateLimit, []*rlv3.LocalRateLimitDescriptor,
) {
	rateLimits := make([]*routev3.RateLimit, 0, len(local.Rules))
	descriptors := make([]*rlv3.LocalRateLimitDescriptor, 0, len(local.Rules))

	// Rules are ORed
	for rIdx, rule := range local.Rules {
		// If method matches specified, create one rate limit rule per method (OR behavior),
		// these rules share the same limit counter, so they share the same descriptor.
		methodMatches := rule.MethodMatches
		if len(methodMatches) == 0 {
			// Use nil to indicate no method match
			methodMatches = []*ir.StringMatch{nil}
		}

		for _, methodMatch := range methodMatches {
			var rlActions []*routev3.RateLimit_Action
			var descriptorEntries []*rlv3.RateLimitDescriptor_Entry

			// Build all match conditions
			// - HeaderMatch
			// - MethodMatch
			// - PathMatch
			// - CIDRMatch
			// - QueryParamMatch
			buildHeaderMatchLocalRateLimitActions(&rlActions, &descriptorEntries, rIdx, rule.HeaderMatches)
			buildMethodMatchLocalRateLimitAction(&rlActions, &descriptorEntries, rIdx, methodMatch)
			buildPathMatchLocalRateLimitAction(&rlActions, &descriptorEntries, rIdx, rule.PathMatch)
			buildCIDRMatchLocalRateLimitActions(&rlActions, &descriptorEntries, rIdx, rule.CIDRMatch)
			// Pass header match count as offset to continue match index sequence
			buildQueryParamMatchLocalRateLimitActions(&rlActions, &descriptorEntries, rIdx, len(rule.HeaderMatches), rule.QueryParamMatches)

			// Create rate limit and descriptor
			rateLimit := &routev3.RateLimit{Actions: rlActions}
			// Set the per-rule XRateLimitOption if specified, overriding the filter-level setting.
			rateLimit.XRatelimitOption = toEnvoyXRateLimitOption(rule.XRateLimitOption)
			rateLimits = append(rateLimits, rateLimit)
			descriptors = append(descriptors, &rlv3.LocalRateLimitDescriptor{
				Entries: descriptorEntries,
				TokenBucket: &typev3.TokenBucket{
					MaxTokens: rule.Limit.Requests,
					TokensPerFill: &wrapperspb.UInt32Value{
						Value: rule.Limit.Requests,
					},
					FillInterval: ratelimit.UnitToDuration(rule.Limit.Unit),
				},
				ShadowMode: ptr.Deref(rule.ShadowMode, false),
			})
		}
	}

	return rateLimits, descriptors
}

func buildHeaderMatchLocalRateLimitActions(
	rlActions *[]*routev3.RateLimit_Action,
	descriptorEntries *[]*rlv3.RateLimitDescriptor_Entry,
	ruleIdx int,
	headerMatches []*ir.StringMatch,
) {
	for mIdx, match := range headerMatches {
		var action *routev3.RateLimit_Action
		var entry *rlv3.RateLimitDescriptor_Entry

		if match.Distinct {
			// For distinct matches, we only check if the header exists using the RequestHeaders action.
			descriptorKey := getRouteRuleDescriptor(ruleIdx, mIdx)
			action = &routev3.RateLimit_Action{
				ActionSpecifier: &routev3.RateLimit_Action_RequestHeaders_{
					RequestHeaders: &routev3.RateLimit_Action_RequestHeaders{
						HeaderName:    match.Name,
						DescriptorKey: descriptorKey,
					},
				},
			}
			// The descriptor entry value is not set for distinct matches, which means that each distinct
			// value of the matched header will be counted separately.
			entry = &rlv3.RateLimitDescriptor_Entry{
				Key: descriptorKey,
			}
		} else {
			// For exact matches, we check if there is an existing header with the matching value using the
			// HeaderValueMatch action.
			descriptorKey := getRouteRuleDescriptor(ruleIdx, mIdx)
			descriptorVal := getRouteRuleDescriptor(ruleIdx, mIdx)
			headerMatcher := &routev3.HeaderMatcher{
				Name: match.Name,
				HeaderMatchSpecifier: &routev3.HeaderMatcher_StringMatch{
					StringMatch: buildXdsStringMatcher(match),
				},
			}
			expectMatch := match.Invert == nil || !*match.Invert
			action = &routev3.RateLimit_Action{
				ActionSpecifier: &routev3.RateLimit_Action_HeaderValueMatch_{
					HeaderValueMatch: &routev3.RateLimit_Action_HeaderValueMatch{
						DescriptorKey:   descriptorKey,
						DescriptorValue: descriptorVal,
						ExpectMatch: &wrapperspb.BoolValue{
							Value: expectMatch,
						},
						Headers: []*routev3.HeaderMatcher{headerMatcher},
					},
				},
			}
			// For exact matches, the descriptor entry value is set to the generated descriptor value.
			entry = &rlv3.RateLimitDescriptor_Entry{
				Key:   descriptorKey,
				Value: descriptorVal,
			}
		}
		*rlActions = append(*rlActions, action)
		*descriptorEntries = append(*descriptorEntries, entry)
	}
}

func buildPathMatchLocalRateLimitAction(
	rlActions *[]*routev3.RateLimit_Action,
	descriptorEntries *[]*rlv3.RateLimitDescriptor_Entry,
	ruleIdx int,
	pathMatch *ir.StringMatch,
) {
	if pathMatch == nil {
		return
	}

	descriptorKey := getRouteRulePathDescriptor(ruleIdx)
	descriptorVal := getRouteRulePathDescriptor(ruleIdx)
	headerMatcher := &routev3.HeaderMatcher{
		Name: ":path",
		HeaderMatchSpecifier: &routev3.HeaderMatcher_StringMatch{
			StringMatch: buildXdsStringMatcher(pathMatch),
		},
	}
	expectMatch := pathMatch.Invert == nil || !*pathMatch.Invert
	action := &routev3.RateLimit_Action{
		ActionSpecifier: &routev3.RateLimit_Action_HeaderValueMatch_{
			HeaderValueMatch: &routev3.RateLimit_Action_HeaderValueMatch{
				DescriptorKey:   descriptorKey,
				DescriptorValue: descriptorVal,
				ExpectMatch: &wrapperspb.BoolValue{
					Value: expectMatch,
				},
				Headers: []*routev3.HeaderMatcher{headerMatcher},
			},
		},
	}
	entry := &rlv3.RateLimitDescriptor_Entry{
		Key:   descriptorKey,
		Value: descriptorVal,
	}

	*rlActions = append(*rlActions, action)
	*descriptorEntries = append(*descriptorEntries, entry)
}

func buildCIDRMatchLocalRateLimitActions(
	rlActions *[]*routev3.RateLimit_Action,
	descriptorEntries *[]*rlv3.RateLimitDescriptor_Entry,
	ruleIdx int,
	cidrMatch *ir.CIDRMatch,
) {
	if cidrMatch == nil {
		return
	}

	maskedKey := getRouteRuleMaskedRemoteAddressDescriptor(ruleIdx)
	*rlActions = append(*rlActions, buildExactCIDRMatchRateLimitAction(cidrMatch, maskedKey))
	*descriptorEntries = append(*descriptorEntries, &rlv3.RateLimitDescriptor_Entry{
		Key:   maskedKey,
		Value: exactCIDRDescriptorValue(cidrMatch.CIDR, cidrMatch.Invert),
	})

	if cidrMatch.Distinct {
		remoteKey := getRouteRuleRemoteAddressDescriptor(ruleIdx)
		*rlActions = append(*rlActions, buildDistinctCIDRMatchRateLimitAction(cidrMatch, remoteKey))
		*descriptorEntries = append(*descriptorEntries, &rlv3.RateLimitDescriptor_Entry{
			Key: remoteKey,
		})
	}
}

func buildMethodMatchLocalRateLimitAction(
	rlActions *[]*routev3.RateLimit_Action,
	descriptorEntries *[]*rlv3.RateLimitDescriptor_Entry,
	ruleIdx int,
	methodMatch *ir.StringMatch,
) {
	if methodMatch == nil {
		return
	}

	descriptorKey := getRouteRuleMethodDescriptor(ruleIdx)
	descriptorVal := getRouteRuleMethodDescriptor(ruleIdx)
	headerMatcher := &routev3.HeaderMatcher{
		Name: ":method",
		HeaderMatchSpecifier: &routev3.HeaderMatcher_StringMatch{
			StringMatch: buildXdsStringMatcher(methodMatch),
		},
	}
	expectMatch := methodMatch.Invert == nil || !*methodMatch.Invert
	action := &routev3.RateLimit_Action{
		ActionSpecifier: &routev3.RateLimit_Action_HeaderValueMatch_{
			HeaderValueMatch: &routev3.RateLimit_Action_HeaderValueMatch{
				DescriptorKey:   descriptorKey,
				DescriptorValue: descriptorVal,
				ExpectMatch: &wrapperspb.BoolValue{
					Value: expectMatch,
				},
				Headers: []*routev3.HeaderMatcher{headerMatcher},
			},
		},
	}
	entry := &rlv3.RateLimitDescriptor_Entry{
		Key:   descriptorKey,
		Value: descriptorVal,
	}

	*rlActions = append(*rlActions, action)
	*descriptorEntries = append(*descriptorEntries, entry)
}

func buildQueryParamMatchLocalRateLimitActions(
	rlActions *[]*routev3.RateLimit_Action,
	descriptorEntries *[]*rlv3.RateLimitDescriptor_Entry,
	ruleIdx int,
	matchIdxOffset int,
	queryParamMatches []*ir.QueryParamMatch,
) {
	for mIdx, queryParam := range queryParamMatches {
		var action *routev3.RateLimit_Action
		var entry *rlv3.RateLimitDescriptor_Entry

		if queryParam.Distinct {
			// For distinct matches, use QueryParameters action to match any value.
			// Each unique value will get its own rate limit bucket.
			descriptorKey := getRouteRuleDescriptor(ruleIdx, matchIdxOffset+mIdx)
			queryParamAction := &routev3.RateLimit_Action_QueryParameters{}
			queryParamAction.DescriptorKey = descriptorKey
			queryParamAction.QueryParameterName = queryParam.Name
			action = &routev3.RateLimit_Action{
				ActionSpecifier: &routev3.RateLimit_Action_QueryParameters_{
					QueryParameters: queryParamAction,
				},
			}
			// For distinct matches, the descriptor entry value is not set, which means
			// each distinct value of the matched query parameter will be counted separately.
			entry = &rlv3.RateLimitDescriptor_Entry{
				Key: descriptorKey,
			}
		} else {
			// For non-distinct matches (exact, regex, invert), use QueryParameterValueMatch
			// action to support advanced matching features like regex and invert.
			descriptorKey := getRouteRuleDescriptor(ruleIdx, matchIdxOffset+mIdx)
			descriptorVal := getRouteRuleDescriptor(ruleIdx, matchIdxOffset+mIdx)
			queryParamMatcher := &routev3.QueryParameterMatcher{
				Name: queryParam.Name,
				QueryParameterMatchSpecifier: &routev3.QueryParameterMatcher_StringMatch{
					StringMatch: buildXdsStringMatcher(&queryParam.StringMatch),
				},
			}
			expectMatch := queryParam.Invert == nil || !*queryParam.Invert
			action = &routev3.RateLimit_Action{
				ActionSpecifier: &routev3.RateLimit_Action_QueryParameterValueMatch_{
					QueryParameterValueMatch: &routev3.RateLimit_Action_QueryParameterValueMatch{
						DescriptorKey:   descriptorKey,
						DescriptorValue: descriptorVal,
						ExpectMatch: &wrapperspb.BoolValue{
							Value: expectMatch,
						},
						QueryParameters: []*routev3.QueryParameterMatcher{queryParamMatcher},
					},
				},
			}
			// For non-distinct matches, the descriptor entry value is set to the generated descriptor value.
			entry = &rlv3.RateLimitDescriptor_Entry{
				Key:   descriptorKey,
				Value: descriptorVal,
			}
		}
		*rlActions = append(*rlActions, action)
		*descriptorEntries = append(*descriptorEntries, entry)
	}
}
