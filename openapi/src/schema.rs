//! The JSON Schemas of the wire types, as they must appear in the spec.
//!
//! [`components`] is what `components.schemas` of `openapi/animaforge.yaml` must hold (less
//! descriptions and examples); [`query_parameters`] is, per operation, the query parameters
//! it must declare. `tests/spec_drift.rs` holds the spec to both.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value};

use crate::*;

fn generator() -> SchemaGenerator {
    let mut settings = SchemaSettings::draft2020_12();
    settings.definitions_path = "/components/schemas".into();
    settings.meta_schema = None;
    settings.into_generator()
}

macro_rules! register {
    ($generator:ident: $($ty:ty),+ $(,)?) => {
        $( $generator.subschema_for::<$ty>(); )+
    };
}

/// Every named schema of the API, keyed by component name.
pub fn components() -> Map<String, Value> {
    let mut g = generator();
    register!(g:
        ErrorEnvelope, Meta, MessageResponse,
        RegisterRequest, LoginRequest, RefreshRequest, AuthSession, TokenRefresh, MeResponse,
        CreateApiKeyRequest, CreateApiKeyResponse, ApiKeyList,
        GenerateRequest, GenerateAccepted, Job, JobEvent, JobCallback,
        AnimationList, AnimationResponse, UploadMetadata, UploadResponse,
        UpdateAnimationRequest, LikeState, SourceCode,
        SearchResponse, AutocompleteResponse,
        UserProfileResponse, FollowState,
        FeaturedList, TrendingList, PurchaseRequest, PurchaseResponse, PurchaseList,
        Dashboard, AnimationAnalytics,
        CreateWebhookRequest, WebhookResponse, WebhookList, WebhookEvent,
        AnimationGeneratedData, AnimationPurchasedData, UserFollowedData,
        TemplateList, Health,
        // Enums only the query parameters use: the parameters refer to them by name.
        AnimationSort, SearchSort, SortOrder, Timeframe,
    );
    g.take_definitions(true).into_iter().collect()
}

fn inline_schema<T: JsonSchema>() -> Value {
    let mut settings = SchemaSettings::draft2020_12();
    settings.definitions_path = "/components/schemas".into();
    settings.meta_schema = None;
    settings.inline_subschemas = false;
    let schema = settings.into_generator().into_root_schema_for::<T>();
    let mut value = schema.to_value();
    if let Some(object) = value.as_object_mut() {
        object.remove("title");
        object.remove("description");
        object.remove("$defs");
    }
    value
}

/// Per `operationId`, the object schema whose properties are its query parameters.
pub fn query_parameters() -> Vec<(&'static str, Value)> {
    vec![
        ("listAnimations", inline_schema::<ListAnimationsQuery>()),
        ("listUserAnimations", inline_schema::<ListAnimationsQuery>()),
        ("searchAnimations", inline_schema::<SearchQuery>()),
        ("autocomplete", inline_schema::<AutocompleteQuery>()),
        ("getTrending", inline_schema::<TrendingQuery>()),
        ("listPurchases", inline_schema::<PurchasesQuery>()),
        ("getDashboard", inline_schema::<DateRangeQuery>()),
        ("getAnimationAnalytics", inline_schema::<DateRangeQuery>()),
    ]
}
