//! Types used by several resources: pagination, enums of the catalogue.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where a page sits in a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Pagination {
    /// The page number, from 1.
    #[schemars(range(min = 1))]
    pub page: u32,
    /// Items per page.
    #[schemars(range(min = 1, max = 100))]
    pub per_page: u32,
    /// Items in the whole filtered list.
    pub total: u64,
    /// Pages in the whole filtered list (0 when it is empty).
    pub pages: u64,
}

impl Pagination {
    /// The pagination of page `page` of `total` items, `per_page` a page.
    pub fn new(page: u32, per_page: u32, total: u64) -> Pagination {
        let per = u64::from(per_page.max(1));
        Pagination {
            page,
            per_page,
            total,
            pages: total.div_ceil(per),
        }
    }
}

/// Declares a string enum with its wire names, `ALL`, `as_str`, `Display` and `FromStr`.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $wire:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $wire)] $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as it appears on the wire.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::common::UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($wire => Ok($name::$variant),)+
                    _ => Err($crate::common::UnknownValue {
                        value: s.to_owned(),
                        allowed: &[$($wire),+],
                    }),
                }
            }
        }
    };
}
pub(crate) use wire_enum;

/// A string that is not one of an enum's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be one of: {}", allowed.join(", "))]
pub struct UnknownValue {
    /// What was given.
    pub value: String,
    /// What is allowed.
    pub allowed: &'static [&'static str],
}

wire_enum! {
    /// The licence an animation is published under.
    pub enum License {
        /// MIT licence.
        Mit = "MIT",
        /// Apache licence 2.0.
        Apache2 = "Apache-2.0",
        /// Public-domain dedication.
        Cc0 = "CC0",
        /// Creative Commons Attribution.
        CcBy = "CC-BY",
        /// Creative Commons Attribution-ShareAlike.
        CcBySa = "CC-BY-SA",
        /// Creative Commons Attribution-NonCommercial.
        CcByNc = "CC-BY-NC",
        /// All rights reserved; buyers get a use licence.
        Proprietary = "proprietary",
    }
}

wire_enum! {
    /// The category an animation is filed under.
    pub enum Category {
        /// Mathematics.
        Math = "math",
        /// Natural sciences.
        Science = "science",
        /// Teaching material.
        Education = "education",
        /// Entertainment.
        Entertainment = "entertainment",
        /// Art and design.
        Art = "art",
        /// Technology and computing.
        Technology = "technology",
        /// Anything else.
        Other = "other",
    }
}

wire_enum! {
    /// Output resolution presets.
    pub enum Resolution {
        /// 854x480.
        P480 = "480p",
        /// 1280x720.
        P720 = "720p",
        /// 1920x1080.
        P1080 = "1080p",
        /// 2560x1440.
        P1440 = "1440p",
        /// 3840x2160.
        P2160 = "2160p",
    }
}

impl Resolution {
    /// Width and height in pixels.
    pub fn dimensions(self) -> (u32, u32) {
        match self {
            Resolution::P480 => (854, 480),
            Resolution::P720 => (1280, 720),
            Resolution::P1080 => (1920, 1080),
            Resolution::P1440 => (2560, 1440),
            Resolution::P2160 => (3840, 2160),
        }
    }

    /// The preset whose height is `height`, if any.
    pub fn from_height(height: u32) -> Option<Resolution> {
        Resolution::ALL
            .iter()
            .copied()
            .find(|r| r.dimensions().1 == height)
    }
}

wire_enum! {
    /// Sort orders.
    pub enum SortOrder {
        /// Smallest first.
        Asc = "asc",
        /// Largest first.
        Desc = "desc",
    }
}

wire_enum! {
    /// Account tiers; each has its own rate limit.
    pub enum Tier {
        /// 100 requests an hour, burst 10.
        Free = "free",
        /// 1,000 requests an hour, burst 50.
        Pro = "pro",
        /// 10,000 requests an hour, burst 200.
        Enterprise = "enterprise",
    }
}
